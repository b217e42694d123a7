using KbSr.Degradation;
using KbSr.Imaging;
using KbSr.Tests.Evaluation;
using KbSr.Training;
using static TorchSharp.torch;

namespace KbSr.Tests.Training;

public class SyntheticBatchTests
{
    internal static HrImageCache Cache()
    {
        var cache = new HrImageCache();
        cache.Add(EvalTestData.Smooth(48, 40, seed: 11), "a.png");
        cache.Add(EvalTestData.Smooth(36, 52, seed: 12), "b.png");
        cache.Add(EvalTestData.Smooth(40, 40, seed: 13), "c.png");
        return cache;
    }

    internal static BatchOptions Options(int batch = 4, bool augment = true) =>
        new(batch, HrPatch: 24, Scale: 4, KernelDistribution.Paper, Augment: augment);

    [Fact]
    public void Get_HasTheDocumentedShapesAndRanges()
    {
        using var cache = Cache();
        using var batch = new SyntheticBatchSource(cache, Options(), seed: 7).Get(3);
        Assert.Equal(new long[] { 4, 3, 24, 24 }, batch.Hr.shape);
        Assert.Equal(new long[] { 4, 3, 6, 6 }, batch.Lr.shape);
        Assert.Equal(new long[] { 4, 21, 21 }, batch.Kernels.shape);
        Assert.Equal(new long[] { 4 }, batch.Sigmas.shape);
        Assert.All(new[] { batch.Hr, batch.Lr, batch.Kernels }, t => Assert.Equal(ScalarType.Float32, t.dtype));
        foreach (var t in new[] { batch.Hr, batch.Lr })
        {
            Assert.True(t.min().item<float>() >= 0 && t.max().item<float>() <= 1);
            var levels = t.mul(255);                                     // both are 8-bit images
            Assert.True(levels.sub(levels.round()).abs().max().item<float>() < 1e-4f);
        }
        var sums = batch.Kernels.sum([1, 2]);
        Assert.True(sums.sub(1).abs().max().item<float>() < 1e-5f);
        Assert.True(batch.Kernels.min().item<float>() >= 0);
        Assert.True(batch.Sigmas.min().item<float>() >= 0.2f && batch.Sigmas.max().item<float>() <= 4.0f);
        // each kernel is the isotropic Gaussian of its σ
        for (int b = 0; b < 4; b++)
        {
            using var expected = GaussianKernel.Isotropic(batch.Sigmas[b].item<float>());
            Assert.True(batch.Kernels[b].sub(expected).abs().max().item<float>() < 1e-5f, $"kernel {b} is not the Gaussian of its σ");
        }
    }

    [Fact]
    public void Get_LrIsTheDegradationOfTheHrWithTheBatchKernels()
    {
        using var cache = Cache();
        using var batch = new SyntheticBatchSource(cache, Options(), seed: 1).Get(0);
        using var expected = Degrader.Degrade(batch.Hr, batch.Kernels, 4);
        Assert.True(batch.Lr.eq(expected).all().item<bool>(), "LR is not eq. 1 applied to the batch's HR and kernels");
    }

    [Fact]
    public void Get_WithoutAugmentation_CropsAreExactWindowsOfTheCachedImages()
    {
        using var cache = Cache();
        using var batch = new SyntheticBatchSource(cache, Options(augment: false), seed: 5).Get(2);
        var images = Enumerable.Range(0, cache.Count).Select(i => cache[i]).ToList();
        for (int b = 0; b < 4; b++)
        {
            using var crop = batch.Hr[b].mul(255).round().to_type(ScalarType.Byte);
            bool found = images.Any(image =>
                Enumerable.Range(0, (int)image.shape[1] - 23).Any(y =>
                    Enumerable.Range(0, (int)image.shape[2] - 23).Any(x =>
                    {
                        using var window = image[.., y..(y + 24), x..(x + 24)];
                        return window.eq(crop).all().item<bool>();
                    })));
            Assert.True(found, $"crop {b} is no 24×24 window of any cached image");
        }
    }

    [Fact]
    public void Get_IsAPureFunctionOfSeedAndIndex()
    {
        using var cache = Cache();
        var source = new SyntheticBatchSource(cache, Options(), seed: 42);
        using var first = source.Get(5);
        using var again = new SyntheticBatchSource(cache, Options(), seed: 42).Get(5);
        using var next = source.Get(6);
        using var otherSeed = new SyntheticBatchSource(cache, Options(), seed: 43).Get(5);
        Assert.True(Same(first, again), "same seed and index gave different batches");
        Assert.False(Equal(first.Hr, next.Hr) || Equal(first.Sigmas, next.Sigmas), "neighbouring indices share crops or kernels");
        Assert.False(Equal(first.Hr, otherSeed.Hr), "another seed gave the same crops");
    }

    [Fact]
    public void Get_WithNoise_IsDeterministicAndAddsNoiseOfTheRequestedSigmaToTheSameBatch()
    {
        using var cache = Cache();
        var noisy = Options() with { NoiseSigma = 0.05 };
        using var a = new SyntheticBatchSource(cache, noisy, seed: 4).Get(1);
        using var b = new SyntheticBatchSource(cache, noisy, seed: 4).Get(1);
        using var clean = new SyntheticBatchSource(cache, Options(), seed: 4).Get(1);
        Assert.True(Same(a, b), "noisy batches are not reproducible");
        Assert.True(Equal(a.Hr, clean.Hr) && Equal(a.Kernels, clean.Kernels), "noise changed the crops or kernels");
        using var diff = a.Lr.sub(clean.Lr);
        Assert.InRange(diff.std().item<float>(), 0.04f, 0.06f);     // 144 values/sample × 4: ±10 % is > 5 sd
    }

    [Fact]
    public void Get_OtherSeeds_DoNotReplayTheKernelsOfShiftedIndices()
    {
        // Runs with seeds 0 and 1 must not share kernel sequences shifted by a few batches.
        using var cache = Cache();
        var zero = new SyntheticBatchSource(cache, Options(), seed: 0);
        var one = new SyntheticBatchSource(cache, Options(), seed: 1);
        using var first = one.Get(0);
        for (int shift = 1; shift <= 40; shift++)
        {
            using var other = zero.Get(shift);
            Assert.False(Equal(first.Sigmas, other.Sigmas), $"seed 1 batch 0 has the σ of seed 0 batch {shift}");
        }
    }

    [Fact]
    public void Get_FlipsOnly_DrawsTheSameCropsAndFlips_WithoutTheQuarterTurns()
    {
        // One image whose value depends on x only: flips keep every crop's rows equal, a quarter turn makes its
        // columns equal instead.
        using var cache = new HrImageCache();
        using (var ramp = linspace(0, 1, 48).expand(3, 48, 48).contiguous())
            cache.Add(KbSr.Imaging.RgbImage.FromTensor(ramp), "ramp.png");
        var withTurns = new SyntheticBatchSource(cache, Options(batch: 8), seed: 5);
        var flipsOnly = new SyntheticBatchSource(cache, Options(batch: 8) with { Rotate = false }, seed: 5);
        int turned = 0;
        for (int i = 0; i < 4; i++)
        {
            using var scope = NewDisposeScope();
            using var a = withTurns.Get(i);
            using var b = flipsOnly.Get(i);
            for (int s = 0; s < 8; s++)
            {
                var crop = b.Hr[s];
                Assert.True(crop.equal(crop[.., ..1, ..].expand_as(crop)).all().item<bool>(), $"batch {i}, sample {s} was turned");
                // The same crop as with rotations, up to the quarter turn that was drawn.
                int k = Enumerable.Range(0, 4).First(q => crop.rot90(q, (1, 2)).allclose(a.Hr[s], rtol: 0, atol: 1e-6) || q == 3);
                Assert.True(crop.rot90(k, (1, 2)).allclose(a.Hr[s], rtol: 0, atol: 1e-6), $"batch {i}, sample {s}: another crop");
                if (k % 2 == 1) turned++;
            }
            Assert.True(a.Lr.shape.SequenceEqual(b.Lr.shape));
        }
        Assert.True(turned > 0, "the default source never turned a crop");
    }

    [Fact]
    public void Get_RepeatedWithNoise_LeavesNoLiveTensorsBeyondTheBatch()
    {
        using var cache = Cache();
        var source = new SyntheticBatchSource(cache, Options() with { NoiseSigma = 0.01 }, seed: 8);
        source.Get(0).Dispose();                                     // warm caches (bicubic weights)
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 1; i <= 5; i++) source.Get(i).Dispose();
        Assert.True(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount == before,
            "Get leaked tensors: " + TorchSharp.DisposeScopeManager.Statistics);
    }

    [Fact]
    public void Get_SigmasFollowTheUniformTrainingDistribution()
    {
        // Kolmogorov–Smirnov against U[0.2, 4.0]: 1 600 σ from 200 batches of 8 (fixed seed).
        // Critical value at α = 0.001: 1.949/√n = 0.0487.
        using var cache = Cache();
        var source = new SyntheticBatchSource(cache, new BatchOptions(8, 12, 4, KernelDistribution.Paper, Augment: false), seed: 2024);
        var sigmas = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            using var batch = source.Get(i);
            sigmas.AddRange(batch.Sigmas.to_type(ScalarType.Float64).data<double>().ToArray());
        }
        sigmas.Sort();
        int n = sigmas.Count;
        double d = 0;
        for (int i = 0; i < n; i++)
        {
            double f = (sigmas[i] - 0.2) / 3.8;
            d = Math.Max(d, Math.Max((i + 1.0) / n - f, f - (double)i / n));
        }
        Assert.True(d < 1.949 / Math.Sqrt(n), $"KS statistic {d:0.0000} ≥ {1.949 / Math.Sqrt(n):0.0000}");
        Assert.InRange(sigmas.Average(), 2.0, 2.2);              // mean 2.1, sd of the mean 1.1/√1600 ≈ 0.027
    }

    [Fact]
    public void Options_Validate_RejectsAPatchThatIsNoMultipleOfTheScale()
    {
        var e = Assert.Throws<ArgumentException>(() => new BatchOptions(4, 30, 4, KernelDistribution.Paper).Validate());
        Assert.Contains("30", e.Message);
        Assert.Throws<ArgumentException>(() => new BatchOptions(0, 32, 4, KernelDistribution.Paper).Validate());
        Assert.Throws<ArgumentException>(() => new BatchOptions(4, 32, 4, KernelDistribution.Paper, NoiseSigma: -1).Validate());
    }

    internal static bool Same(SyntheticBatch a, SyntheticBatch b) =>
        Equal(a.Hr, b.Hr) && Equal(a.Lr, b.Lr) && Equal(a.Kernels, b.Kernels) && Equal(a.Sigmas, b.Sigmas);

    /// <summary>Bitwise equality of two tensors (same shape, every element equal).</summary>
    internal static bool Equal(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }
}
