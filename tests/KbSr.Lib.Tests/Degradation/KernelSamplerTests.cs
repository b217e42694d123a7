using KbSr.Degradation;
using KbSr.Runtime;
using TorchSharp;
using static KbSr.Tests.Degradation.DegradationAssert;
using static TorchSharp.torch;

namespace KbSr.Tests.Degradation;

public class KernelSamplerTests
{
    [Fact]
    public void Sample_Paper_SigmasInRangeAndKernelsMatchTheirSigma()
    {
        using var scope = NewDisposeScope();
        using var generator = TorchRuntime.Generator(1);
        var (kernels, sigmas) = new KernelSampler(KernelDistribution.Paper).Sample(64, generator);
        Assert.Equal(new long[] { 64, 21, 21 }, kernels.shape);
        Assert.Equal(new long[] { 64 }, sigmas.shape);
        double[] s = ToDoubles(sigmas);
        Assert.All(s, v => Assert.InRange(v, 0.2, 4.0));
        Assert.True(s.Max() - s.Min() > 2.5, "64 uniform draws on [0.2, 4] should spread over most of the range");
        Close(kernels.to(float64).sum([1, 2]), Enumerable.Repeat(1.0, 64).ToArray(), 1e-5, "kernel sums");
        for (int i = 0; i < 3; i++)
            Close(kernels[i], GaussianKernel.Isotropic(s[i]), 1e-6, $"sample {i}");
    }

    [Fact]
    public void Sample_SameSeed_SameKernels_OtherSeed_Different()
    {
        using var scope = NewDisposeScope();
        var sampler = new KernelSampler(KernelDistribution.Paper);
        using var g1 = TorchRuntime.Generator(42);
        using var g2 = TorchRuntime.Generator(42);
        using var g3 = TorchRuntime.Generator(43);
        var (k1, s1) = sampler.Sample(8, g1);
        var (k2, s2) = sampler.Sample(8, g2);
        var (_, s3) = sampler.Sample(8, g3);
        Assert.True(Identical(k1, k2));
        Assert.True(Identical(s1, s2));
        Assert.False(Identical(s1, s3));
        var (_, next) = sampler.Sample(8, g1);
        Assert.False(Identical(next, s1), "the generator must advance between calls");
    }

    [Fact]
    public void Sample_FixedList_OnlyListedSigmas()
    {
        using var scope = NewDisposeScope();
        using var generator = TorchRuntime.Generator(3);
        var (kernels, sigmas) = new KernelSampler(KernelDistribution.PaperTest).Sample(30, generator);
        double[] s = ToDoubles(sigmas);
        Assert.All(s, v => Assert.Contains(v, new[] { 0.2, 1.3, 2.6 }.Select(x => (double)(float)x)));
        Assert.Equal(3, s.Distinct().Count());
        Close(kernels[0], GaussianKernel.Isotropic(s[0]), 1e-6);
    }

    [Fact]
    public void Sample_Anisotropic_UnitSumAndPointSymmetric()
    {
        using var scope = NewDisposeScope();
        using var generator = TorchRuntime.Generator(5);
        var (kernels, sigmas) = new KernelSampler(KernelDistribution.Anisotropic(0.6, 3.0)).Sample(10, generator);
        Assert.Equal(new long[] { 10, 21, 21 }, kernels.shape);
        Assert.All(ToDoubles(sigmas), v => Assert.InRange(v, 0.6, 3.0));
        Close(kernels.to(float64).sum([1, 2]), Enumerable.Repeat(1.0, 10).ToArray(), 1e-5, "kernel sums");
        Close(kernels.flip(1, 2), kernels, 1e-7, "180° rotation");
        Assert.True(MaxAbsDiff(kernels.transpose(1, 2), kernels) > 1e-3, "random anisotropic kernels are not all symmetric about the diagonal");
    }

    [Fact]
    public void Constructor_InvalidDistribution_ThrowsNamingTheField()
    {
        var e = Assert.Throws<ArgumentException>(() => new KernelSampler(KernelDistribution.Isotropic(2.0, 1.0)));
        Assert.Contains("σ range", e.Message);
        e = Assert.Throws<ArgumentException>(() => new KernelSampler(KernelDistribution.Paper with { KernelSize = 20 }));
        Assert.Contains("KernelSize", e.Message);
        e = Assert.Throws<ArgumentException>(() => new KernelSampler(KernelDistribution.Fixed([])));
        Assert.Contains("FixedSigmas", e.Message);
    }

    [Fact]
    public void KernelDistribution_EqualityAndJson_RoundTrip()
    {
        var d = KernelDistribution.Gaussian8;
        Assert.Equal(KernelDistribution.Fixed([1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2]), d);
        Assert.NotEqual(KernelDistribution.Fixed([1.8, 2.0]), d);
        string json = System.Text.Json.JsonSerializer.Serialize(d);
        Assert.Contains("\"FixedSigmas\"", json);
        Assert.Contains("\"Family\":\"FixedSigmas\"", json);
        Assert.Equal(d, System.Text.Json.JsonSerializer.Deserialize<KernelDistribution>(json));
        Assert.Equal(new KernelDistribution(KernelFamily.Isotropic, 21, 0.2, 4.0), KernelDistribution.Paper);
    }
}
