using KbSr.Degradation;
using KbSr.Imaging;
using KbSr.Model;
using KbSr.Training;
using static TorchSharp.torch;

namespace KbSr.Tests.Training;

/// <summary>
/// A start from weights keeps what the weights mean: the kernel PCA their codes were trained in (a fresh fit from the
/// new run's seed gives other codes for the same kernel), and modules grafted from separately trained networks
/// (<see cref="ModuleGraft"/>: IKC given the SFTMD trained on its own).
/// </summary>
public sealed class WarmStartTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-warm-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static TrainOptions Options(KbSrConfig model, long steps, long seed) => new()
    {
        Model = model, Steps = steps, BatchSize = 2, HrPatch = 16,
        Kernels = KernelDistribution.Isotropic(0.3, 1.5, model.KernelSize),
        LearningRate = 1e-3, LrSchedule = "constant", ValidateEvery = 0, CheckpointEvery = 1_000, LogEvery = 1, Seed = seed,
    };

    private static HrImageCache Images()
    {
        var cache = new HrImageCache();
        using var chart = TestChart.Make(64);
        cache.Add(RgbImage.FromTensor(chart), "chart");
        return cache;
    }

    private string Last(string run) => Path.Combine(_root, run, "checkpoints", "last.ckpt");

    private string Train(string run, TrainOptions options, HrImageCache images, string? init = null)
    {
        using var t = init is null ? Trainer.StartNew(options, Path.Combine(_root, run), images)
                                   : Trainer.StartFrom(init, options, Path.Combine(_root, run), images);
        t.Log = _ => { };
        t.Run();
        return Last(run);
    }

    private static void AssertSamePca(KernelPca expected, KernelPca actual)
    {
        Assert.True(expected.Mean.equal(actual.Mean).all().item<bool>(), "the mean kernel differs");
        Assert.True(expected.Components.equal(actual.Components).all().item<bool>(), "the components differ");
    }

    [Fact]
    public void StartFrom_WithAnotherSeed_KeepsTheWeightsKernelPca_AndSoDoesItsResume()
    {
        using var images = Images();
        string first = Train("first", Options(KbSrConfig.Test, 1, seed: 5), images);
        string second = Train("second", Options(KbSrConfig.Test, 2, seed: 6), images, init: first);
        using (var a = Checkpoint.Read(first))
        using (var b = Checkpoint.Read(second))
        using (var ownFit = KernelPca.ForDistribution(Options(KbSrConfig.Test, 1, 6).Kernels, dims: KbSrConfig.Test.Loss.PcaDims, seed: 6))
        {
            Assert.False(ownFit.Mean.equal(a.Pca!.Mean).all().item<bool>());   // the seeds do give different fits
            AssertSamePca(a.Pca!, b.Pca!);
        }
        using (var t = Trainer.Resume(Path.Combine(_root, "second"), images, overrides: Options(KbSrConfig.Test, 3, seed: 6)))
        {
            t.Log = _ => { };
            t.Run();
        }
        using (var a = Checkpoint.Read(first))
        using (var c = Checkpoint.Read(Last("second")))
            AssertSamePca(a.Pca!, c.Pca!);
    }

    [Fact]
    public void InitModules_GraftsASeparatelyTrainedSftmd_AndAModuleOfAnotherIkc_Exactly()
    {
        using var images = Images();
        var ikc = ModelRegistry.Preset("ikc-test");
        string sftmd = Train("sftmd", Options(ModelRegistry.Preset("sftmd-test"), 2, seed: 5), images);
        string other = Train("other-ikc", Options(ikc, 1, seed: 5) with { Schedule = "predictor" }, images);
        string start = Train("ikc", Options(ikc, 1, seed: 5) with { Schedule = "sftmd" }, images);

        var options = Options(ikc, 2, seed: 5) with
        {
            Schedule = "corrector",
            InitModules = new Dictionary<string, string> { ["sftmd"] = sftmd, ["predictor"] = other },
        };
        using var t = Trainer.StartFrom(start, options, Path.Combine(_root, "grafted"), images);
        var grafted = t.Network.Module().named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (var donor = Checkpoint.Read(sftmd))
        using (var net = donor.CreateModel().Module())
            foreach (var (name, p) in net.named_parameters())
                Assert.True(grafted["sftmd." + name].equal(p).all().item<bool>(), $"sftmd.{name} was not grafted");
        using (var donor = Checkpoint.Read(other))
        using (var net = donor.CreateModel().Module())
            foreach (var (name, p) in net.named_parameters().Where(p => p.name.StartsWith("predictor.", StringComparison.Ordinal)))
                Assert.True(grafted[name].equal(p).all().item<bool>(), $"{name} was not grafted");
        using (var own = Checkpoint.Read(start))
        using (var net = own.CreateModel().Module())
            foreach (var (name, p) in net.named_parameters().Where(p => p.name.StartsWith("corrector.", StringComparison.Ordinal)))
                Assert.True(grafted[name].equal(p).all().item<bool>(), $"{name} should keep the --init weights");
    }

    [Fact]
    public void InitModules_RefusesANetworkOfAnotherShape_AModuleThatDoesNotExist_AndAnotherPcaBasis()
    {
        var ikcConfig = ModelRegistry.Preset("ikc-test");
        using var ikc = ModelRegistry.Build(ikcConfig);
        var kernels = KernelDistribution.Paper with { KernelSize = ikcConfig.KernelSize };
        int dims = ikcConfig.Loss.PcaDims;
        using var pca = KernelPca.ForDistribution(kernels, dims: dims, seed: 1);

        string kbsr = Path.Combine(_root, "kbsr.ckpt");
        using (var net = ModelRegistry.Build(KbSrConfig.Test)) Checkpoint.Save(kbsr, net, new TrainingState());
        var e = Assert.Throws<ArgumentException>(() => ModuleGraft.Apply(ikc, "sftmd", kbsr, pca));
        Assert.Contains("does not fit module 'sftmd'", e.Message);
        e = Assert.Throws<ArgumentException>(() => ModuleGraft.Apply(ikc, "estimator", kbsr, pca));
        Assert.Contains("no module 'estimator'", e.Message);

        // The same distribution fitted from another seed: accepted, and the log says how far apart the fits are.
        string sftmd = Path.Combine(_root, "sftmd.ckpt");
        using var otherSeed = KernelPca.ForDistribution(kernels, dims: dims, seed: 3);
        using (var net = ModelRegistry.Build(ModelRegistry.Preset("sftmd-test"))) Checkpoint.Save(sftmd, net, new TrainingState(), otherSeed);
        var (tensors, note) = ModuleGraft.Apply(ikc, "sftmd", sftmd, pca);
        Assert.True(tensors > 0);
        Assert.Contains("fitted apart", note);

        // Codes of another basis (here the components in reverse order) would mean other kernels: refused.
        using var reversed = KernelPca.Fit(ReverseBasis(pca), dims);
        using (var net = ModelRegistry.Build(ModelRegistry.Preset("sftmd-test"))) Checkpoint.Save(sftmd, net, new TrainingState(), reversed);
        e = Assert.Throws<ArgumentException>(() => ModuleGraft.Apply(ikc, "sftmd", sftmd, pca));
        Assert.Contains("another kernel PCA", e.Message);
    }

    /// <summary>Kernels whose PCA has other directions than <paramref name="pca"/>'s: its components stretched so that
    /// their order of variance is reversed.</summary>
    private static Tensor ReverseBasis(KernelPca pca)
    {
        int n = 200, k = pca.KernelSize;
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(7);
        var scales = arange(1, pca.Dims + 1, dtype: float32);                    // the last component gets most variance
        var codes = randn(new long[] { n, pca.Dims }, generator: generator) * scales;
        return pca.Decode(codes).MoveToOuterDisposeScope();
    }
}
