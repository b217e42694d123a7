using System.Text.Json;
using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Tests.Evaluation;

/// <summary>Generated test sets for evaluation tests, and the metric written out by hand as the expectation.</summary>
internal static class EvalTestData
{
    /// <summary>A smooth random colour image: a few random low-frequency cosines per channel, in 8 bits.</summary>
    public static RgbImage Smooth(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[width * height * 3];
        for (int c = 0; c < 3; c++)
        {
            var waves = Enumerable.Range(0, 4).Select(_ => (fx: rng.NextDouble() * 0.3, fy: rng.NextDouble() * 0.3,
                phase: rng.NextDouble() * 6.28, amp: 0.1 + rng.NextDouble() * 0.1)).ToArray();
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double v = 0.5 + waves.Sum(w => w.amp * Math.Cos(w.fx * x + w.fy * y + w.phase));
                    pixels[(y * width + x) * 3 + c] = (byte)Math.Clamp(Math.Round(v * 255), 0, 255);
                }
        }
        return new RgbImage(width, height, pixels);
    }

    /// <summary>The integer test pattern of <c>Golden/bicubic_reference.py</c> (which builds the same image):
    /// channel c at (x, y) = (17 + 29c + 3x + 5y + ⌊x·y·(c+1)/7⌋ + 41·seed) mod 256.</summary>
    public static RgbImage Pattern(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                    pixels[(y * width + x) * 3 + c] = (byte)((17 + 29 * c + 3 * x + 5 * y + x * y * (c + 1) / 7 + 41 * seed) % 256);
        return new RgbImage(width, height, pixels);
    }

    /// <summary>The two images the independent reference was computed for (sizes not multiples of 4: the mod-crop matters).</summary>
    public static (string Name, RgbImage Image)[] GoldenImages() =>
        Reference.Images.Select(i => (i.Name, Pattern(i.Width, i.Height, i.Seed))).ToArray();

    /// <summary><c>Golden/bicubic_reference.json</c>, written by <c>Golden/bicubic_reference.py</c> (plain Python, float64,
    /// from the definitions in docs/method.md §6 and §8): per image and σ, the 8-bit LR, then PSNR-Y and SSIM-Y of bicubic ×4.</summary>
    public static GoldenReference Reference { get; } = JsonSerializer.Deserialize<GoldenReference>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Evaluation", "Golden", "bicubic_reference.json")),
        new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    /// <summary>A temp data root holding one set folder with the given images (written as PNG files).</summary>
    public static string MakeRoot(string set, params (string Name, RgbImage Image)[] images)
    {
        string root = Directory.CreateTempSubdirectory("kbsr-eval-").FullName;
        foreach (var (name, image) in images) ImageFile.WritePng(image, Path.Combine(root, set, name + ".png"));
        return root;
    }

    /// <summary>The two-image set most tests use: sizes that are not multiples of 4, so the mod-crop matters.</summary>
    public static (string Name, RgbImage Image)[] TwoImages() =>
        [("a", Smooth(50, 42, seed: 1)), ("b", Smooth(46, 39, seed: 2))];

    /// <summary>Rounds to 8 bits half to even, as the LR synthesis does, independently of torch.</summary>
    public static Tensor QuantizeToEven(Tensor x)
    {
        float[] flat = x.detach().cpu().contiguous().data<float>().ToArray();
        // float32 arithmetic step by step, as torch does it: clamp, ×255, round half to even, ÷255
        var q = flat.Select(v => (float)Math.Round(Math.Clamp(v, 0f, 1f) * 255f, MidpointRounding.ToEven) / 255f).ToArray();
        return tensor(q, x.shape);
    }
}

/// <summary>The independent reference's file (see <see cref="EvalTestData.Reference"/>).</summary>
internal sealed record GoldenReference(double AmbiguousLevels, IReadOnlyList<GoldenImage> Images);

internal sealed record GoldenImage(string Name, int Width, int Height, int Seed, IReadOnlyList<GoldenSigma> Sigmas);

/// <param name="Lr">LR levels 0..255 in [c][y][x] order.</param>
/// <param name="LrAmbiguous">Indices into <paramref name="Lr"/> whose value lies within <see cref="GoldenReference.AmbiguousLevels"/>
/// of a rounding boundary: float32 arithmetic may round them either way.</param>
/// <param name="SrAmbiguous">How many SR values lie that close to a rounding boundary before the metrics quantise them.</param>
internal sealed record GoldenSigma(double Sigma, int LrWidth, int LrHeight, IReadOnlyList<int> Lr, IReadOnlyList<int> LrAmbiguous,
                                   int SrAmbiguous, double PsnrY, double SsimY);
