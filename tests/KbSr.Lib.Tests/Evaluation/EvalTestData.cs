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

    /// <summary>PSNR on Y written out from method.md §8.2: im2uint8 quantisation (round half up), MATLAB's
    /// rgb2ycbcr luma Y = 16 + (65.481 R + 128.553 G + 24.966 B)/255 on 0..255 values, <paramref name="shave"/>
    /// pixels cropped per side, MSE accumulated in float64, 10·log10(255²/MSE).</summary>
    public static double HandPsnrY(Tensor sr, Tensor hr, int shave)
    {
        var (s, h) = (Pixels(sr), Pixels(hr));
        int height = s.GetLength(1), width = s.GetLength(2);
        Assert.Equal(height, h.GetLength(1));
        Assert.Equal(width, h.GetLength(2));
        double sum = 0;
        long n = 0;
        for (int y = shave; y < height - shave; y++)
            for (int x = shave; x < width - shave; x++)
            {
                double d = Luma(s, y, x) - Luma(h, y, x);
                sum += d * d;
                n++;
            }
        return 10 * Math.Log10(255.0 * 255.0 / (sum / n));
    }

    private static double Luma(double[,,] p, int y, int x) =>
        16 + (65.481 * p[0, y, x] + 128.553 * p[1, y, x] + 24.966 * p[2, y, x]) / 255;

    /// <summary>[3,H,W] (or [1,3,H,W]) tensor → 0..255 integers, clamped and rounded half up.</summary>
    private static double[,,] Pixels(Tensor image)
    {
        using var t = image.detach().cpu().to_type(ScalarType.Float32).reshape(3, image.shape[^2], image.shape[^1]);
        float[] flat = t.data<float>().ToArray();
        int h = (int)t.shape[1], w = (int)t.shape[2];
        var p = new double[3, h, w];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    p[c, y, x] = Math.Floor(Math.Clamp((double)flat[(c * h + y) * w + x], 0, 1) * 255 + 0.5);
        return p;
    }

    /// <summary>Rounds to 8 bits half to even, as the LR synthesis does, independently of torch.</summary>
    public static Tensor QuantizeToEven(Tensor x)
    {
        float[] flat = x.detach().cpu().contiguous().data<float>().ToArray();
        // float32 arithmetic step by step, as torch does it: clamp, ×255, round half to even, ÷255
        var q = flat.Select(v => (float)Math.Round(Math.Clamp(v, 0f, 1f) * 255f, MidpointRounding.ToEven) / 255f).ToArray();
        return tensor(q, x.shape);
    }
}
