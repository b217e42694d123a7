using KbSr.Degradation;
using KbSr.Runtime;
using TorchSharp;
using static KbSr.Tests.Degradation.DegradationAssert;
using static TorchSharp.torch;

namespace KbSr.Tests.Degradation;

public class NoiseTests
{
    [Fact]
    public void AddGaussian_ZeroSigma_LeavesImageUnchanged()
    {
        using var scope = NewDisposeScope();
        var x = rand(1, 3, 8, 8);
        Close(Noise.AddGaussian(x, 0), x, 0);
    }

    [Fact]
    public void AddGaussian_NoiseHasRequestedMeanAndStd()
    {
        // 3·256·256 samples: the standard error of the mean is σ/443, of the std about σ/627.
        using var scope = NewDisposeScope();
        using var generator = TorchRuntime.Generator(9);
        var x = full(1, 3, 256, 256, 0.5f);
        var n = Noise.AddGaussian(x, 15.0 / 255, generator) - x;
        Assert.Equal(0.0, n.mean().item<float>(), 3);
        Assert.InRange(n.std().item<float>(), 15.0 / 255 * 0.99, 15.0 / 255 * 1.01);
    }

    [Fact]
    public void AddGaussian_SameSeed_SameNoise()
    {
        using var scope = NewDisposeScope();
        var x = zeros(2, 3, 5, 5);
        using var g1 = TorchRuntime.Generator(4);
        using var g2 = TorchRuntime.Generator(4);
        Assert.True(Identical(Noise.AddGaussian(x, 0.1, g1), Noise.AddGaussian(x, 0.1, g2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Noise.AddGaussian(x, -0.1));
    }
}
