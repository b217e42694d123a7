using KbSr.Degradation;
using KbSr.Model;
using KbSr.Runtime;
using static TorchSharp.torch;

namespace KbSr.Tests.Model;

/// <summary>Small shared helpers of the model and training tests: a seeded Test-preset network, a synthetic
/// batch made through eq. 1, a PCA fitted to small Gaussian kernels, and tolerance checks.</summary>
internal static class ModelFixtures
{
    /// <summary>Images on which blur shows plainly (the kernel-estimation tests): <paramref name="count"/> squares of
    /// uniform 8-bit noise, seeded.</summary>
    public static KbSr.Training.HrImageCache NoiseImages(int count = 3, int side = 64, int seed = 5)
    {
        var images = new KbSr.Training.HrImageCache();
        var noise = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var pixels = new byte[side * side * 3];
            noise.NextBytes(pixels);
            images.Add(new KbSr.Imaging.RgbImage(side, side, pixels), $"noise{i}");
        }
        return images;
    }

    /// <summary>A noise image that <see cref="NoiseImages"/> did not make, as an HR tensor [3, 96, 96].</summary>
    public static Tensor UnseenNoise()
    {
        var fresh = new byte[96 * 96 * 3];
        new Random(6).NextBytes(fresh);
        return new KbSr.Imaging.RgbImage(96, 96, fresh).ToTensor();
    }

    public static KbSrNet Network(KbSrConfig? config = null, long seed = 7)
    {
        TorchRuntime.Seed(seed);
        return ModelRegistry.Create(config ?? KbSrConfig.Test);
    }

    /// <summary>HR [B, 3, s·h, s·w] smooth random images in [0, 1], Gaussian kernels [B, k, k] and LR = eq. 1 (8-bit).</summary>
    public static (Tensor Hr, Tensor Lr, Tensor Kernel) Batch(KbSrConfig config, int batch = 2, int h = 6, int w = 6, long seed = 3)
    {
        using var scope = NewDisposeScope();
        using var generator = TorchRuntime.Generator(seed);
        var coarse = rand(new long[] { batch, config.ImageChannels, h, w }, generator: generator);
        var hr = Bicubic.Resize(coarse, config.Scale).clamp(0, 1);
        var sigmas = linspace(0.6, 1.6, batch);
        var kernel = GaussianKernel.IsotropicBatch(sigmas, config.KernelSize);
        var lr = Degrader.Degrade(hr, kernel, config.Scale);
        return (hr.MoveToOuterDisposeScope(), lr.MoveToOuterDisposeScope(), kernel.MoveToOuterDisposeScope());
    }

    public static KernelPca Pca(KbSrConfig config)
    {
        using var scope = NewDisposeScope();
        var kernels = GaussianKernel.IsotropicBatch(linspace(0.2, 4.0, 40), config.KernelSize);
        return KernelPca.Fit(kernels, config.Loss.PcaDims);
    }

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(b.shape, a.shape);
        using var scope = NewDisposeScope();
        return (a.to(float64) - b.to(float64)).abs().max().item<double>();
    }

    public static void Close(Tensor actual, Tensor expected, double tolerance, string what = "")
    {
        double diff = MaxAbsDiff(actual, expected);
        Assert.True(diff <= tolerance, $"{what}: max |actual − expected| = {diff:G4} > {tolerance:G4}");
    }

    public static bool Identical(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var scope = NewDisposeScope();
        return a.eq(b).all().item<bool>();
    }
}
