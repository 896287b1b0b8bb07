using F = Org.BouncyCastle.Math.EC.Rfc7748.X25519Field;

namespace WaSms.WhatsApp.Crypto;

internal static partial class Edwards25519
{
    /// <summary>
    /// j·16^i·B for i in 0..63 and j in 1..8, affine, in Niels form (y + x, y − x, 2d·x·y), built once
    /// on the first signature (about 60 KB, one flat array). Fixed-base multiplication then needs 64
    /// mixed additions instead of 256 doublings and 256 additions.
    /// </summary>
    private static class BaseTable
    {
        private const int Windows = 64;
        private const int PerWindow = 8;
        private const int Stride = 3 * F.Size;

        private static readonly int[] Entries = Build();

        /// <summary>Sets <paramref name="entry"/> to digit·16^window·B, digit in [−8, 8], in constant time.</summary>
        public static void Select(int window, int digit, Niels entry)
        {
            var negative = (digit >> 31) & 1;
            var magnitude = (digit ^ -negative) + negative;
            F.One(entry.YPlusX);
            F.One(entry.YMinusX);
            F.Zero(entry.XY2D);
            var offset = window * PerWindow * Stride;
            for (var j = 1; j <= PerWindow; j++, offset += Stride)
            {
                var mask = ((magnitude ^ j) - 1) >> 31;
                F.CMov(mask, Entries, offset, entry.YPlusX, 0);
                F.CMov(mask, Entries, offset + F.Size, entry.YMinusX, 0);
                F.CMov(mask, Entries, offset + (2 * F.Size), entry.XY2D, 0);
            }

            // −(x, y) = (−x, y): y + x and y − x trade places and 2d·x·y changes sign.
            F.CSwap(negative, entry.YPlusX, entry.YMinusX);
            F.CNegate(negative, entry.XY2D);
            F.Carry(entry.XY2D);
        }

        private static int[] Build()
        {
            var entries = new int[Windows * PerWindow * Stride];
            var windowBase = Point.Identity();
            Add(windowBase, Base, windowBase);
            int[] zInverse = F.Create(), x = F.Create(), y = F.Create(), t = F.Create();
            var offset = 0;
            for (var i = 0; i < Windows; i++)
            {
                var multiple = Point.Identity();
                for (var j = 1; j <= PerWindow; j++, offset += Stride)
                {
                    Add(multiple, windowBase, multiple);
                    F.Inv(multiple.Z, zInverse);
                    F.Mul(multiple.X, zInverse, x);
                    F.Mul(multiple.Y, zInverse, y);
                    F.Add(y, x, t);
                    F.Carry(t);
                    F.Copy(t, 0, entries, offset);
                    F.Sub(y, x, t);
                    F.Carry(t);
                    F.Copy(t, 0, entries, offset + F.Size);
                    F.Mul(x, y, t);
                    F.Mul(t, TwoD, t);
                    F.Copy(t, 0, entries, offset + (2 * F.Size));
                }

                Add(multiple, multiple, windowBase);    // 16^(i+1)·B = 2·(8·16^i·B)
            }

            return entries;
        }
    }

    /// <summary>An affine point as (y + x, y − x, 2d·x·y), the operand of a mixed addition.</summary>
    private sealed class Niels
    {
        public int[] YPlusX { get; } = F.Create();

        public int[] YMinusX { get; } = F.Create();

        public int[] XY2D { get; } = F.Create();
    }

    /// <summary>Temporaries for <see cref="AddNiels"/>, reused across the 64 additions of one multiplication.</summary>
    private sealed class Scratch
    {
        public int[] A { get; } = F.Create();

        public int[] B { get; } = F.Create();

        public int[] C { get; } = F.Create();

        public int[] D { get; } = F.Create();

        public int[] E { get; } = F.Create();

        public int[] FTerm { get; } = F.Create();

        public int[] G { get; } = F.Create();

        public int[] H { get; } = F.Create();
    }
}
