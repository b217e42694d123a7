using KbSr.Evaluation;
using KbSr.Inference;
using KbSr.Model;
using KbSr.Model.Baselines;
using KbSr.Runtime;
using KbSr.Tests.Model;
using static TorchSharp.torch;

namespace KbSr.Tests.Inference;

/// <summary>Blind networks as kernel estimators for the non-blind ones (Inference/IKernelEstimator.cs): the estimate is
/// the blind network's own final kernel, computed once per LR image however many rows ask for it; each estimator gives
/// every non-blind network one blind row.</summary>
public sealed class KernelEstimatorTests
{
    /// <summary>Counts the calls to a super-resolver.</summary>
    private sealed class Counting(ISuperResolver inner) : ISuperResolver
    {
        public int Calls { get; private set; }
        public string Name => inner.Name;
        public SrResult SuperResolve(Tensor lr, int scale)
        {
            Calls++;
            return inner.SuperResolve(lr, scale);
        }
    }

    [Fact]
    public void BlindEstimator_GivesTheBlindNetworksFinalKernel_OncePerImage()
    {
        TorchRuntime.Seed(41);
        using var kbsr = ModelRegistry.Create(KbSrConfig.Test);
        var resolver = new KbSrSuperResolver(kbsr, "KB-SR");
        var counting = new Counting(resolver);
        using var estimator = new BlindKernelEstimator(counting, KbSrConfig.Test.Scale);
        using var scope = NewDisposeScope();
        var lr = rand(1, 3, 12, 10);
        var kernel = estimator.Estimate(lr);
        using (var direct = resolver.SuperResolve(lr, KbSrConfig.Test.Scale))
            Assert.Equal(direct.Kernel!.unsqueeze(0).data<float>().ToArray(), kernel.data<float>().ToArray());
        Assert.Equal(new long[] { 1, KbSrConfig.Test.KernelSize, KbSrConfig.Test.KernelSize }, kernel.shape);
        Assert.Equal(1, counting.Calls);

        kernel.add_(1);   // the caller's copy: changing it changes nothing kept
        var again = estimator.Estimate(lr.clone());
        Assert.Equal(1, counting.Calls);   // the same image: kept
        Assert.True((again - kernel).abs().max().item<float>() > 0.5);

        var other = lr.clone();
        other[0, 0, 3, 4] = tensor(0.123f);
        _ = estimator.Estimate(other);
        Assert.Equal(2, counting.Calls);   // another image: estimated anew
    }

    [Fact]
    public void EachEstimator_GivesEveryNonBlindNetworkOneBlindRow_AndBlindNetworksNone()
    {
        TorchRuntime.Seed(42);
        var config = ModelRegistry.Preset("sftmd-test");
        using var sftmd = ModelRegistry.Build(config);
        using var ikc = (Ikc)ModelRegistry.Build(ModelRegistry.Preset("ikc-test"));
        using var dan = (Dan)ModelRegistry.Build(ModelRegistry.Preset("dan-test"));
        using var kbsr = ModelRegistry.Create(KbSrConfig.Test);
        using var pca = ModelFixtures.Pca(config);
        var estimators = new[]
        {
            SuperResolvers.Estimator(ikc, pca, "ikc-test", named: false),
            SuperResolvers.Estimator(dan, pca, "DAN", named: true),
            SuperResolvers.Estimator(kbsr, null, "KB-SR", named: true),
        };
        Assert.Equal(["IKC Predictor", "DAN", "KB-SR"], estimators.Select(e => e.Name));
        Assert.Equal(["S (true kernel)", "S (kernel by IKC Predictor)", "S (kernel by DAN)", "S (kernel by KB-SR)"],
                     SuperResolvers.For(sftmd, pca, "S", estimators).Select(r => r.Name));
        Assert.Equal(["D"], SuperResolvers.For(dan, pca, "D", estimators).Select(r => r.Name));
        var e = Assert.Throws<ArgumentException>(() => { _ = SuperResolvers.Estimator(sftmd, pca, "S", named: true); });
        Assert.Contains("blind network", e.Message);
    }
}
