using KbSr.Degradation;
using KbSr.Runtime;
using TorchSharp;
using static KbSr.Tests.Degradation.DegradationAssert;
using static TorchSharp.torch;

namespace KbSr.Tests.Degradation;

public class DegraderTests
{
    [Fact]
    public void Degrade_OddHrSizes_GivesCeilSizedLrInUnitRange()
    {
        using var scope = NewDisposeScope();
        using var generator = TorchRuntime.Generator(11);
        var hr = rand(2, 3, 45, 51);
        var kernels = GaussianKernel.IsotropicBatch(tensor(new[] { 0.2f, 2.6f }));
        var lr = Degrader.Degrade(hr, kernels, 4, noiseSigma: 0.05, generator: generator);
        Assert.Equal(new long[] { 2, 3, 12, 13 }, lr.shape);
        Assert.True(lr.min().item<float>() >= 0 && lr.max().item<float>() <= 1);
    }

    [Fact]
    public void Degrade_Quantized_ValuesAreMultiplesOf1Over255()
    {
        using var scope = NewDisposeScope();
        var hr = rand(1, 3, 32, 32);
        var lr = Degrader.Degrade(hr, GaussianKernel.Isotropic(1.3), 4);
        var levels = lr * 255;
        Close(levels, levels.round(), 1e-4, "LR·255 is integral");
        var raw = Degrader.Degrade(hr, GaussianKernel.Isotropic(1.3), 4, quantize: false);
        Assert.True(MaxAbsDiff(raw * 255, (raw * 255).round()) > 0.01, "without quantize the LR keeps fractional levels");
        Close(lr, raw, 0.5 / 255 + 1e-6, "quantisation moves values by at most half a level");
    }

    [Fact]
    public void Degrade_Unquantized_EqualsBlurThenBicubicDownscale()
    {
        using var scope = NewDisposeScope();
        var hr = rand(2, 3, 24, 24) * 0.5 + 0.25;   // stays inside [0, 1] after resampling overshoot
        var kernels = GaussianKernel.IsotropicBatch(tensor(new[] { 1.0f, 3.0f }));
        var expected = Bicubic.Resize(Blur.Apply(hr, kernels), 0.5);
        Close(Degrader.Degrade(hr, kernels, 2, quantize: false), expected, 0);
    }

    [Fact]
    public void Degrade_ConstantImageWithoutNoise_StaysConstant()
    {
        // 0.4 = 102/255, a representable 8-bit level, must survive blur, resize and rounding unchanged.
        using var scope = NewDisposeScope();
        var hr = full(1, 3, 33, 35, 102f / 255);
        var lr = Degrader.Degrade(hr, GaussianKernel.Isotropic(2.6), 4);
        Assert.Equal(new long[] { 1, 3, 9, 9 }, lr.shape);
        Close(lr, full(lr.shape, 102f / 255), 1e-7);
    }

    [Fact]
    public void Degrade_SameGenerator_SameNoisyLr()
    {
        using var scope = NewDisposeScope();
        var hr = rand(1, 3, 24, 24);
        var k = GaussianKernel.Isotropic(1.0);
        using var g1 = TorchRuntime.Generator(2);
        using var g2 = TorchRuntime.Generator(2);
        var a = Degrader.Degrade(hr, k, 4, noiseSigma: 0.1, generator: g1);
        var b = Degrader.Degrade(hr, k, 4, noiseSigma: 0.1, generator: g2);
        Assert.True(Identical(a, b));
        Assert.True(MaxAbsDiff(a, Degrader.Degrade(hr, k, 4)) > 0.05, "noise of σ = 0.1 must show");
    }
}
