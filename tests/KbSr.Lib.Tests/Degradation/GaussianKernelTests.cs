using KbSr.Degradation;
using TorchSharp;
using static KbSr.Tests.Degradation.DegradationAssert;
using static TorchSharp.torch;

namespace KbSr.Tests.Degradation;

public class GaussianKernelTests
{
    [Fact]
    public void Isotropic_Size3Sigma1_EqualsHandComputedValues()
    {
        // Unnormalised: centre e⁰ = 1, edge neighbours e^(−1/2) = 0.6065306597, corners e^(−1) = 0.3678794412.
        // Sum = 1 + 4·0.6065306597 + 4·0.3678794412 = 4.8976404036.
        // Normalised: centre 0.2041799556, edge 0.1238414032, corner 0.0751136080.
        using var k = GaussianKernel.Isotropic(1.0, size: 3);
        Assert.Equal(ScalarType.Float32, k.dtype);
        const double c = 0.2041799556, e = 0.1238414032, q = 0.0751136080;
        Close(k, [q, e, q, e, c, e, q, e, q], 1e-7);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(1.3)]
    [InlineData(2.6)]
    [InlineData(4.0)]
    public void Isotropic_PaperSize_SumsToOneAndIsSymmetric(double sigma)
    {
        using var scope = NewDisposeScope();
        var k = GaussianKernel.Isotropic(sigma);
        Assert.Equal(new long[] { 21, 21 }, k.shape);
        Assert.Equal(1.0, k.to(float64).sum().item<double>(), 6);
        Close(k.t(), k, 0, "transpose");
        Close(k.flip(0), k, 0, "vertical flip");
        Close(k.flip(1), k, 0, "horizontal flip");
        Assert.True(k.min().item<float>() >= 0);
        Assert.Equal(k.max().item<float>(), k[10, 10].item<float>());
    }

    [Fact]
    public void Isotropic_SecondMoment_EqualsSigmaSquared()
    {
        // A sampled Gaussian with σ ≥ 1 has discrete variance σ² up to ~e^(−2π²σ²) (Poisson summation),
        // and a 41-wide grid truncates nothing measurable at σ = 2.
        using var scope = NewDisposeScope();
        var k = GaussianKernel.Isotropic(2.0, size: 41).to(float64);
        var offsets = arange(-20, 21, dtype: float64);
        double v = (k.sum(dim: 0) * offsets * offsets).sum().item<double>();
        Assert.True(Math.Abs(v - 4.0) < 1e-5, $"variance {v:R}");
    }

    [Fact]
    public void IsotropicBatch_MatchesIsotropicPerSigma()
    {
        using var scope = NewDisposeScope();
        double[] sigmas = [0.2, 0.7, 1.3, 2.6, 4.0];
        var batch = GaussianKernel.IsotropicBatch(tensor(sigmas, dtype: float32));
        Assert.Equal(new long[] { 5, 21, 21 }, batch.shape);
        Assert.Equal(ScalarType.Float32, batch.dtype);
        for (int i = 0; i < sigmas.Length; i++)
            Close(batch[i], GaussianKernel.Isotropic((float)sigmas[i]), 1e-7, $"σ = {sigmas[i]}");
    }

    [Fact]
    public void Anisotropic_EqualSigmas_EqualsIsotropicForAnyAngle()
    {
        using var scope = NewDisposeScope();
        var iso = GaussianKernel.Isotropic(1.7);
        foreach (double theta in new[] { 0.0, 0.4, Math.PI / 3, 2.5 })
            Close(GaussianKernel.Anisotropic(1.7, 1.7, theta), iso, 1e-7, $"θ = {theta}");
    }

    [Fact]
    public void Anisotropic_QuarterTurn_IsTransposeOfUnrotated()
    {
        using var scope = NewDisposeScope();
        var a = GaussianKernel.Anisotropic(3.0, 1.0, 0);
        var b = GaussianKernel.Anisotropic(3.0, 1.0, Math.PI / 2);
        Close(b, a.t(), 1e-7);
        Assert.Equal(1.0, a.to(float64).sum().item<double>(), 6);
    }

    [Fact]
    public void Anisotropic_Rotated_HasHandDerivedCovariance()
    {
        // Σ = R(θ)·diag(σx², σy²)·R(θ)ᵀ with σx = 2, σy = 1, θ = π/4:
        // Σxx = 4cos² + 1sin² = 2.5, Σyy = 2.5, Σxy = cos·sin·(4 − 1) = 1.5 (x = column offset, y = row offset).
        using var scope = NewDisposeScope();
        var k = GaussianKernel.Anisotropic(2.0, 1.0, Math.PI / 4, size: 41).to(float64);
        var y = arange(-20, 21, dtype: float64).view(-1, 1);
        var x = arange(-20, 21, dtype: float64).view(1, -1);
        Assert.Equal(2.5, (k * x * x).sum().item<double>(), 4);
        Assert.Equal(2.5, (k * y * y).sum().item<double>(), 4);
        Assert.Equal(1.5, (k * x * y).sum().item<double>(), 4);
    }

    [Fact]
    public void Isotropic_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianKernel.Isotropic(1.0, size: 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianKernel.Isotropic(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianKernel.Isotropic(double.NaN));
        using var bad = tensor(new[] { 1.0f, -1.0f });
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianKernel.IsotropicBatch(bad));
    }
}
