using System.Globalization;
using System.Numerics;
using F = Org.BouncyCastle.Math.EC.Rfc7748.X25519Field;

namespace WaSms.WhatsApp.Crypto;

/// <summary>
/// The Edwards25519 operations XEdDSA needs that BouncyCastle keeps private: fixed-base scalar
/// multiplication with the full point encoding (y plus the sign of x), and the Montgomery u →
/// Edwards y map. See docs/protocol/noise.md §7.
/// </summary>
/// <remarks>
/// <para>Field arithmetic is BouncyCastle's public, constant-time <see cref="F"/> (X25519Field).
/// The group law is the complete extended-coordinates addition for a = −1 (Hisil–Wong–Carter–Dawson
/// 2008, "add-2008-hwcd-3"). <see cref="ScalarMultBaseEncoded"/> adds one entry of a precomputed
/// table per signed 4-bit digit of the scalar (64 mixed additions), each picked by scanning the
/// window's 8 entries with a constant-time move: no branch and no memory
/// access depends on the secret scalar.</para>
/// <para>Public values only (a public key, a signature's R) go through <see cref="BigInteger"/>,
/// which is not constant-time.</para>
/// </remarks>
internal static partial class Edwards25519
{
    /// <summary>p = 2^255 − 19.</summary>
    internal static readonly BigInteger P = (BigInteger.One << 255) - 19;

    /// <summary>Order of the prime subgroup, L = 2^252 + 27742317777372353535851937790883648493.</summary>
    internal static readonly BigInteger L = (BigInteger.One << 252) + BigInteger.Parse("27742317777372353535851937790883648493", CultureInfo.InvariantCulture);

    // RFC 8032 §5.1: the base point B = (x, 4/5) and d = −121665/121666.
    private static readonly BigInteger BaseX = BigInteger.Parse("15112221349535400772501151409588531511454012693041857206046113283949847762202", CultureInfo.InvariantCulture);
    private static readonly BigInteger BaseY = Mod(4 * Inverse(5));
    private static readonly int[] TwoD = FieldElement(Mod(2 * -121665 * Inverse(121666)));
    private static readonly Point Base = new(FieldElement(BaseX), FieldElement(BaseY), FieldElement(BigInteger.One), FieldElement(Mod(BaseX * BaseY)));

    /// <summary>Computes k·B for a 32-byte little-endian scalar k below 2^255 and returns its 32-byte encoding.</summary>
    internal static byte[] ScalarMultBaseEncoded(ReadOnlySpan<byte> scalar)
    {
        if (scalar.Length != 32)
        {
            throw new ArgumentException("The scalar is 32 bytes.", nameof(scalar));
        }

        if (scalar[31] > 127)
        {
            throw new ArgumentException("The scalar is below 2^255.", nameof(scalar));
        }

        // Signed radix-16 digits e[i] in [−8, 8], k = Σ e[i]·16^i, so k·B = Σ e[i]·(16^i·B): 64
        // additions of table entries and no doubling.
        Span<sbyte> digits = stackalloc sbyte[64];
        for (var i = 0; i < 32; i++)
        {
            digits[2 * i] = (sbyte)(scalar[i] & 15);
            digits[(2 * i) + 1] = (sbyte)(scalar[i] >> 4);
        }

        var carry = 0;
        for (var i = 0; i < 63; i++)
        {
            digits[i] += (sbyte)carry;
            carry = (digits[i] + 8) >> 4;
            digits[i] -= (sbyte)(carry << 4);
        }

        digits[63] += (sbyte)carry;

        var q = Point.Identity();
        var entry = new Niels();
        var scratch = new Scratch();
        for (var i = 0; i < 64; i++)
        {
            BaseTable.Select(i, digits[i], entry);
            AddNiels(q, entry, scratch);
        }

        digits.Clear();
        return Encode(q);
    }

    /// <summary>Maps a Montgomery u-coordinate to the Edwards y-coordinate, (u−1)/(u+1). False when u = −1.</summary>
    internal static bool TryMontgomeryToEdwardsY(BigInteger u, out BigInteger y)
    {
        var denominator = Mod(u + 1);
        if (denominator.IsZero)
        {
            y = BigInteger.Zero;
            return false;
        }

        y = Mod((u - 1) * Inverse(denominator));
        return true;
    }

    /// <summary>Reads a 32-byte little-endian unsigned integer.</summary>
    internal static BigInteger FromLittleEndian(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: false);

    /// <summary>Writes a value below 2^256 as 32 little-endian bytes.</summary>
    internal static void ToLittleEndian(BigInteger value, Span<byte> destination)
    {
        destination[..32].Clear();
        if (!value.TryWriteBytes(destination, out _, isUnsigned: true, isBigEndian: false))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "The value does not fit in 32 bytes.");
        }
    }

    internal static BigInteger Mod(BigInteger value, BigInteger modulus)
    {
        var r = BigInteger.Remainder(value, modulus);
        return r.Sign < 0 ? r + modulus : r;
    }

    private static BigInteger Mod(BigInteger value) => Mod(value, P);

    private static BigInteger Inverse(BigInteger value) => BigInteger.ModPow(Mod(value), P - 2, P);

    private static int[] FieldElement(BigInteger value)
    {
        var bytes = new byte[32];
        ToLittleEndian(value, bytes);
        var element = F.Create();
        F.Decode255(bytes, element);
        return element;
    }

    // r = p + q with the complete formula for a = −1 (r may alias p or q).
    private static void Add(Point p, Point q, Point r)
    {
        int[] a = F.Create(), b = F.Create(), c = F.Create(), d = F.Create();
        int[] e = F.Create(), f = F.Create(), g = F.Create(), h = F.Create(), t = F.Create();

        F.Sub(p.Y, p.X, a);
        F.Carry(a);
        F.Sub(q.Y, q.X, t);
        F.Carry(t);
        F.Mul(a, t, a);                 // A = (Y1 − X1)(Y2 − X2)
        F.Add(p.Y, p.X, b);
        F.Carry(b);
        F.Add(q.Y, q.X, t);
        F.Carry(t);
        F.Mul(b, t, b);                 // B = (Y1 + X1)(Y2 + X2)
        F.Mul(p.T, q.T, c);
        F.Mul(c, TwoD, c);              // C = 2d·T1·T2
        F.Mul(p.Z, q.Z, d);
        F.Add(d, d, d);
        F.Carry(d);                     // D = 2·Z1·Z2
        F.Sub(b, a, e);
        F.Carry(e);                     // E = B − A
        F.Sub(d, c, f);
        F.Carry(f);                     // F = D − C
        F.Add(d, c, g);
        F.Carry(g);                     // G = D + C
        F.Add(b, a, h);
        F.Carry(h);                     // H = B + A
        F.Mul(e, f, r.X);
        F.Mul(g, h, r.Y);
        F.Mul(e, h, r.T);
        F.Mul(f, g, r.Z);
    }

    // p += n (affine Niels form), the same complete formula with Z2 = 1 and 2d·T2 precomputed.
    private static void AddNiels(Point p, Niels n, Scratch s)
    {
        F.Sub(p.Y, p.X, s.A);
        F.Carry(s.A);
        F.Mul(s.A, n.YMinusX, s.A);     // A = (Y1 − X1)(y2 − x2)
        F.Add(p.Y, p.X, s.B);
        F.Carry(s.B);
        F.Mul(s.B, n.YPlusX, s.B);      // B = (Y1 + X1)(y2 + x2)
        F.Mul(p.T, n.XY2D, s.C);        // C = T1·2d·x2·y2
        F.Add(p.Z, p.Z, s.D);
        F.Carry(s.D);                   // D = 2·Z1
        F.Sub(s.B, s.A, s.E);
        F.Carry(s.E);
        F.Sub(s.D, s.C, s.FTerm);
        F.Carry(s.FTerm);
        F.Add(s.D, s.C, s.G);
        F.Carry(s.G);
        F.Add(s.B, s.A, s.H);
        F.Carry(s.H);
        F.Mul(s.E, s.FTerm, p.X);
        F.Mul(s.G, s.H, p.Y);
        F.Mul(s.E, s.H, p.T);
        F.Mul(s.FTerm, s.G, p.Z);
    }

    private static byte[] Encode(Point p)
    {
        int[] zInverse = F.Create(), x = F.Create(), y = F.Create();
        F.Inv(p.Z, zInverse);
        F.Mul(p.X, zInverse, x);
        F.Mul(p.Y, zInverse, y);
        F.Normalize(x);
        F.Normalize(y);
        var xBytes = new byte[32];
        var encoded = new byte[32];
        F.Encode(x, xBytes);
        F.Encode(y, encoded);
        encoded[31] |= (byte)((xBytes[0] & 1) << 7);
        return encoded;
    }

    private sealed class Point(int[] x, int[] y, int[] z, int[] t)
    {
        public int[] X { get; } = x;

        public int[] Y { get; } = y;

        public int[] Z { get; } = z;

        public int[] T { get; } = t;

        public static Point Identity()
        {
            int[] x = F.Create(), y = F.Create(), z = F.Create(), t = F.Create();
            F.One(y);
            F.One(z);
            return new Point(x, y, z, t);
        }
    }
}
