using KbSr.Evaluation;
using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Tests.Degradation;

/// <summary>How hard a small kernel error at σ = 0.2 is (data/weights/README.md, "Why IKC Small failed"): after ×4
/// bicubic downscaling and 8-bit rounding, the LR images of σ = 0.2 and σ = 0.4 differ by about as much as the rounding
/// itself (8-bit rounding alone: 58.9 dB); Σ|K − K(0.2)| < 0.6 holds for σ = 0.4 but not for σ = 0.5, so an estimator
/// must place σ = 0.2 below about 0.45. σ = 1.3 is far apart, as a check that the measurement tells blurs apart. On
/// the sample photograph when this was written: 59.8 dB (0.2 vs 0.4), 55.6 dB (vs 0.5), 42.7 dB (vs 1.3).</summary>
public sealed class BlurIdentifiabilityTests
{
    private static double LrPsnr(Tensor hr, double a, double b)
    {
        using var scope = NewDisposeScope();
        var x = TestSetSynthesis.MakeLr(hr, a, 4, 21);
        var y = TestSetSynthesis.MakeLr(hr, b, 4, 21);
        return 10 * Math.Log10(1 / (x - y).square().mean().item<float>());
    }

    [Fact]
    public void LrImagesOfSigma02And04_DifferByAboutTheRounding_AndAKernelErrorBelow06NeedsSigmaBelow05()
    {
        var hr = SamplePhoto.Load().ModCrop(4).ToTensor();
        double close = LrPsnr(hr, 0.2, 0.4), far = LrPsnr(hr, 0.2, 1.3);
        Assert.True(close > 52, $"σ 0.2 vs 0.4: {close:F1} dB");
        Assert.True(far < close - 10, $"σ 0.2 vs 1.3: {far:F1} dB (vs 0.4: {close:F1} dB)");
        using var scope = NewDisposeScope();
        var k02 = KbSr.Degradation.GaussianKernel.Isotropic(0.2, 21);
        double L1(double sigma) => (KbSr.Degradation.GaussianKernel.Isotropic(sigma, 21) - k02).abs().sum().item<float>();
        Assert.InRange(L1(0.4), 0.2, 0.6);
        Assert.True(L1(0.5) > 0.6, $"Σ|K(0.5) − K(0.2)| = {L1(0.5):F3}");
    }
}
