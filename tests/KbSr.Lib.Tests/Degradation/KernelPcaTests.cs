using KbSr.Degradation;
using TorchSharp;
using static KbSr.Tests.Degradation.DegradationAssert;
using static TorchSharp.torch;

namespace KbSr.Tests.Degradation;

public sealed class KernelPcaTests : IDisposable
{
    // One fit of the paper's setting (500 kernels, 21 dims) shared by the tests of this class.
    private readonly KernelPca _pca = KernelPca.ForDistribution(KernelDistribution.Paper, count: 500, dims: 21, seed: 0);
    private readonly string _folder = Directory.CreateTempSubdirectory("kbsr-pca-").FullName;

    public void Dispose()
    {
        _pca.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void ForDistribution_ShapesAndOrthonormalComponents()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(21, _pca.KernelSize);
        Assert.Equal(21, _pca.Dims);
        Assert.Equal(new long[] { 441 }, _pca.Mean.shape);
        Assert.Equal(new long[] { 21, 441 }, _pca.Components.shape);
        Assert.Equal(ScalarType.Float32, _pca.Components.dtype);
        var c = _pca.Components.to(float64);
        Close(matmul(c, c.t()), eye(21, dtype: float64), 1e-5, "C·Cᵀ = I");
        Assert.Equal(1.0, _pca.Mean.to(float64).sum().item<double>(), 5);   // the mean of unit-sum kernels
    }

    [Fact]
    public void ExplainedVariance_DescendingAndConcentratedInFewDims()
    {
        // docs/method.md §4: isotropic 21×21 kernels span ~5 meaningful dimensions (99.995% of the variance).
        double[] r = ToDoubles(_pca.ExplainedVarianceRatio);
        Assert.Equal(21, r.Length);
        for (int i = 1; i < r.Length; i++) Assert.True(r[i] <= r[i - 1] + 1e-15, $"ratio {i} exceeds ratio {i - 1}");
        Assert.True(r.Sum() <= 1 + 1e-12);
        Assert.True(r.Take(5).Sum() > 0.9999, $"first 5 dims explain {r.Take(5).Sum()}");
    }

    [Fact]
    public void EncodeDecode_KernelsFromTheDistribution_ReconstructWithFifteenDims()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(12345);
        var (kernels, _) = new KernelSampler(KernelDistribution.Paper).Sample(50, generator);
        using var pca15 = KernelPca.ForDistribution(KernelDistribution.Paper, dims: 15);
        var codes = pca15.Encode(kernels);
        Assert.Equal(new long[] { 50, 15 }, codes.shape);
        var back = pca15.Decode(codes);
        // Peak entries are up to ~0.99 (σ = 0.2); an error of 1e-3 is 0.1% of the largest entry.
        Close(back, kernels, 1e-3, "reconstruction");
        Close(pca15.Encode(back), codes, 1e-5, "encode ∘ decode = identity on codes");
    }

    [Fact]
    public void Encode_IsDifferentiable()
    {
        using var scope = NewDisposeScope();
        var k = GaussianKernel.IsotropicBatch(tensor(new[] { 1.0f, 2.0f })).requires_grad_();
        _pca.Encode(k).abs().sum().backward();
        Assert.NotNull(k.grad);
        Assert.True(k.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void SaveLoad_RoundTripIsExact()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(_folder, "sub", "pca.bin");
        _pca.Save(path);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));   // no temp file left behind
        using var loaded = KernelPca.Load(path);
        Assert.Equal(_pca.KernelSize, loaded.KernelSize);
        Assert.Equal(_pca.Dims, loaded.Dims);
        Assert.True(Identical(loaded.Mean, _pca.Mean));
        Assert.True(Identical(loaded.Components, _pca.Components));
        Assert.True(Identical(loaded.ExplainedVarianceRatio, _pca.ExplainedVarianceRatio));
    }

    [Fact]
    public void Load_TruncatedOrForeignFile_ThrowsClearError()
    {
        string path = Path.Combine(_folder, "pca.bin");
        _pca.Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        string truncated = Path.Combine(_folder, "truncated.bin");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<InvalidDataException>(() => KernelPca.Load(truncated));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("truncated.bin", e.Message);

        string foreign = Path.Combine(_folder, "foreign.bin");
        File.WriteAllText(foreign, "{\"not\": \"a kernel PCA\"}");
        e = Assert.Throws<InvalidDataException>(() => KernelPca.Load(foreign));
        Assert.Contains("not a kernel PCA file", e.Message);

        string empty = Path.Combine(_folder, "empty.bin");
        File.WriteAllBytes(empty, []);
        Assert.Throws<InvalidDataException>(() => KernelPca.Load(empty));
    }

    [Fact]
    public void Fit_SameSeed_GivesIdenticalProjection()
    {
        using var again = KernelPca.ForDistribution(KernelDistribution.Paper, count: 500, dims: 21, seed: 0);
        // Sign-fixed components: the leading (meaningful) directions agree to float32 round-off.
        using var scope = NewDisposeScope();
        Close(again.Components[..5], _pca.Components[..5], 1e-6);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelPca.Fit(zeros(10, 3, 3), 10));
    }
}
