using WaSms.Hardware.Display;
using WaSms.Hardware.Imaging;

namespace WaSms.Testing.Contracts;

/// <summary>
/// What every <see cref="IDisplay"/> must do, run against each implementation (simulated, SSD1680
/// over a faked SPI bus, missing): a frame put on a present panel is what it shows, full or partial;
/// a frame of another size never reaches the glass; a missing panel shows nothing and never fails.
/// </summary>
public abstract class DisplayContract : IAsyncLifetime
{
    private IDisplay? _display;

    /// <summary>The display under test, made fresh for each test.</summary>
    protected IDisplay Display => _display ?? throw new InvalidOperationException("not initialised");

    /// <summary>Makes the display (and whatever bus it needs).</summary>
    protected abstract IDisplay Create();

    /// <summary>What the glass shows now, in frame coordinates; null when no glass is there to show it.</summary>
    protected abstract MonoFrame? Shown();

    /// <summary>Waits for a call on the display; a display on a fake clock moves the clock until it finishes.</summary>
    protected virtual Task RunAsync(Task call) => call;

    /// <summary>Whatever start-up the panel needs before the first frame.</summary>
    protected virtual Task PrepareAsync() => Task.CompletedTask;

    /// <summary>Releases what <see cref="Create"/> made.</summary>
    protected virtual void Destroy()
    {
    }

    public async Task InitializeAsync()
    {
        _display = Create();
        await PrepareAsync();
    }

    public Task DisposeAsync()
    {
        Destroy();
        return Task.CompletedTask;
    }

    [Fact]
    public void Describe_HasADescriptionAndAPanelSize()
    {
        Assert.False(string.IsNullOrWhiteSpace(Display.Description));
        Assert.True(Display.Width > 0, $"width {Display.Width}");
        Assert.True(Display.Height > 0, $"height {Display.Height}");
    }

    [Fact]
    public async Task FullRefresh_ShowsTheFrame_WhenPresent()
    {
        var frame = Pattern(Display.Width, Display.Height, seed: 1);

        await RunAsync(Display.RefreshAsync(frame, full: true, CancellationToken.None));

        AssertShows(frame);
    }

    [Fact]
    public async Task PartialRefresh_AfterAFullOne_ShowsTheNewFrame()
    {
        await RunAsync(Display.RefreshAsync(Pattern(Display.Width, Display.Height, seed: 1), full: true, CancellationToken.None));
        var next = Pattern(Display.Width, Display.Height, seed: 2);

        await RunAsync(Display.RefreshAsync(next, full: false, CancellationToken.None));

        AssertShows(next);
    }

    [Fact]
    public async Task Refresh_FrameOfAnotherSize_NeverReachesTheGlass()
    {
        var frame = Pattern(Display.Width, Display.Height, seed: 1);
        await RunAsync(Display.RefreshAsync(frame, full: true, CancellationToken.None));
        var wrong = Pattern(Display.Width + 8, Display.Height, seed: 2);

        if (Display.IsPresent)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => RunAsync(Display.RefreshAsync(wrong, full: false, CancellationToken.None)));
        }
        else
        {
            await RunAsync(Display.RefreshAsync(wrong, full: false, CancellationToken.None));
        }

        AssertShows(frame);
    }

    /// <summary>A present panel shows exactly <paramref name="frame"/>; an absent one shows nothing.</summary>
    private void AssertShows(MonoFrame frame)
    {
        var shown = Shown();
        if (!Display.IsPresent)
        {
            Assert.Null(shown);
            return;
        }
        Assert.NotNull(shown);
        Assert.True(frame.SameAs(shown), $"{Display.Description} shows another frame than the one it was given");
    }

    /// <summary>A border, a filled block and a diagonal, placed by <paramref name="seed"/>, so two patterns differ everywhere they can.</summary>
    private static MonoFrame Pattern(int width, int height, int seed)
    {
        var frame = new MonoFrame(width, height);
        frame.DrawRectangle(0, 0, width, height);
        frame.FillRectangle(seed * width / 5, height / 4, width / 5, height / 2);
        for (var i = 0; i < Math.Min(width, height); i++)
        {
            frame[seed == 1 ? i : width - 1 - i, i] = true;
        }
        return frame;
    }
}
