using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace WaSms.Gateway.Simulator;

/// <summary>
/// Who may use the simulator page, the way Jupyter does it: a random token made at each start, in the
/// URL the gateway logs and writes to <c>&lt;state-dir&gt;/simulator-url</c> (0600). Every request must
/// carry it — in the query (the logged link), in the cookie the first such request sets (HttpOnly,
/// SameSite=Strict, so the page's own assets, frame and event stream follow), or as
/// <c>Authorization: token …</c> (scripts). Loopback alone is no barrier: any local user can connect.
/// </summary>
public sealed class SimulatorAccess
{
    public const string QueryName = "token";

    /// <summary>The file beside the state that holds the page's URL with its token, for <c>scripts/gw page</c>.</summary>
    public const string UrlFileName = "simulator-url";

    private readonly byte[] _token;

    public SimulatorAccess(string stateDirectory)
    {
        // 192 bits from the CSPRNG, hex like Jupyter's: new on every start, never stored but in the 0600 file.
        Token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _token = Encoding.ASCII.GetBytes(Token);
        UrlFile = Path.Combine(stateDirectory, UrlFileName);
    }

    public string Token { get; }

    public string UrlFile { get; }

    /// <summary>One cookie per port: two dev gateways on one machine must not overwrite each other's.</summary>
    public static string CookieName(int port) => $"wasms-simulator-{port}";

    /// <summary>The page's address with the token, as logged and written to <see cref="UrlFile"/>.</summary>
    public Uri WithToken(Uri page) => new UriBuilder(page) { Path = "/", Query = $"{QueryName}={Token}" }.Uri;

    /// <summary>True when the request carries the token; a token in the query also sets the cookie.</summary>
    public bool Admit(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var cookie = CookieName(context.Connection.LocalPort);
        if (request.Query.TryGetValue(QueryName, out var query) && query.Count == 1 && Matches(query[0]))
        {
            context.Response.Cookies.Append(cookie, Token, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                IsEssential = true,
            });
            return true;
        }
        if (request.Cookies.TryGetValue(cookie, out var fromCookie) && Matches(fromCookie))
        {
            return true;
        }
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("token ", StringComparison.OrdinalIgnoreCase) && Matches(authorization["token ".Length..].Trim());
    }

    /// <summary>Compares in constant time, so response timing does not reveal how much of a guess was right.</summary>
    private bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), _token);

    /// <summary>Writes <paramref name="url"/> to <see cref="UrlFile"/>, readable by the gateway's user only.</summary>
    public void WriteUrlFile(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var temporary = UrlFile + ".tmp";
        File.Delete(temporary); // a fresh file gets the 0600 mode below; an old one would keep its own
        using (var file = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            file.Write(Encoding.UTF8.GetBytes(url.AbsoluteUri + "\n"));
        }
        File.Move(temporary, UrlFile, overwrite: true);
    }

    /// <summary>The token dies with the process: the file goes too.</summary>
    public void DeleteUrlFile()
    {
        try
        {
            File.Delete(UrlFile);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
