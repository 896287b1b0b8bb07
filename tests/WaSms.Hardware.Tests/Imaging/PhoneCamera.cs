using System.Globalization;
using System.Text;
using WaSms.Hardware.Imaging;

namespace WaSms.Hardware.Tests.Imaging;

/// <summary>
/// What a phone camera makes of an e-paper frame, deterministic for a seed: grey ink on grey paper,
/// about 3× scale, a few degrees of rotation, a slight blur (focus and motion), light falling off
/// across the panel, and sensor noise. Written as an 8-bit PGM that zbarimg reads like the phone's
/// scanner would read the photo. Issue 9 item 23: the 1.54" panel's QR read clean but not like this.
/// Calibrated so that the old 1.54" layout (3 px modules, 2-module quiet zone touching the panel's
/// top edge, text close below) fails with a 266-character QR, while the 2.13" layout reads.
/// </summary>
public sealed record PhoneCamera(
    double Scale = 3.0,
    double RotationDegrees = 4.0,
    double BlurSigma = 1.0,
    byte Ink = 70,
    byte Paper = 165,
    double LightFalloff = 0.3,
    double NoiseSigma = 4.0,
    int Seed = 2026)
{
    /// <summary>The photo as grey levels (0 black … 255 white), row by row.</summary>
    public (int Width, int Height, double[] Pixels) Capture(MonoFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var angle = RotationDegrees * Math.PI / 180;
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        var margin = (int)(8 * Scale); // the bezel and the desk around the panel
        var width = (int)Math.Ceiling(frame.Width * Scale * Math.Abs(cos) + frame.Height * Scale * Math.Abs(sin)) + 2 * margin;
        var height = (int)Math.Ceiling(frame.Width * Scale * Math.Abs(sin) + frame.Height * Scale * Math.Abs(cos)) + 2 * margin;
        var pixels = new double[width * height];
        var (cx, cy) = (width / 2.0, height / 2.0);
        var bezel = (Ink + Paper) / 2.0 - 20;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                // Back into panel pixels: un-rotate about the centre, un-scale, sample bilinearly.
                var dx = x + 0.5 - cx;
                var dy = y + 0.5 - cy;
                var u = (dx * cos + dy * sin) / Scale + frame.Width / 2.0 - 0.5;
                var v = (-dx * sin + dy * cos) / Scale + frame.Height / 2.0 - 0.5;
                pixels[y * width + x] = u < -0.5 || v < -0.5 || u > frame.Width - 0.5 || v > frame.Height - 0.5
                    ? bezel
                    : Sample(frame, u, v);
            }
        }
        pixels = Blur(pixels, width, height, BlurSigma);
        var random = new Random(Seed);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                // A lamp to the top left: full light there, LightFalloff less at the far corner, plus a soft vignette.
                var across = (x / (double)width + y / (double)height) / 2;
                var fromCentre = Math.Pow((x - cx) / cx, 2) + Math.Pow((y - cy) / cy, 2);
                var light = (1 - LightFalloff * across) * (1 - 0.12 * fromCentre);
                var noise = NoiseSigma * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                pixels[y * width + x] = Math.Clamp(pixels[y * width + x] * light + noise, 0, 255);
            }
        }
        return (width, height, pixels);
    }

    /// <summary>Captures <paramref name="frame"/> and writes the photo to <paramref name="path"/> as a binary PGM.</summary>
    public void Photograph(MonoFrame frame, string path)
    {
        var (width, height, pixels) = Capture(frame);
        using var file = File.Create(path);
        file.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"P5\n{width} {height}\n255\n")));
        file.Write(pixels.Select(p => (byte)Math.Round(p)).ToArray());
    }

    private double Sample(MonoFrame frame, double u, double v)
    {
        double Level(int x, int y) => x < 0 || y < 0 || x >= frame.Width || y >= frame.Height || !frame[x, y] ? Paper : Ink;
        var (x0, y0) = ((int)Math.Floor(u), (int)Math.Floor(v));
        var (fx, fy) = (u - x0, v - y0);
        return Level(x0, y0) * (1 - fx) * (1 - fy) + Level(x0 + 1, y0) * fx * (1 - fy)
               + Level(x0, y0 + 1) * (1 - fx) * fy + Level(x0 + 1, y0 + 1) * fx * fy;
    }

    /// <summary>A separable Gaussian blur.</summary>
    private static double[] Blur(double[] pixels, int width, int height, double sigma)
    {
        if (sigma <= 0)
        {
            return pixels;
        }
        var radius = (int)Math.Ceiling(3 * sigma);
        var kernel = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        var sum = kernel.Sum();
        for (var i = 0; i < kernel.Length; i++)
        {
            kernel[i] /= sum;
        }
        var across = new double[pixels.Length];
        var result = new double[pixels.Length];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var total = 0.0;
                for (var k = -radius; k <= radius; k++)
                {
                    total += kernel[k + radius] * pixels[y * width + Math.Clamp(x + k, 0, width - 1)];
                }
                across[y * width + x] = total;
            }
        }
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var total = 0.0;
                for (var k = -radius; k <= radius; k++)
                {
                    total += kernel[k + radius] * across[Math.Clamp(y + k, 0, height - 1) * width + x];
                }
                result[y * width + x] = total;
            }
        }
        return result;
    }
}
