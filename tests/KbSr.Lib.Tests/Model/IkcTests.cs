using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Imaging;
using KbSr.Model;
using KbSr.Model.Baselines;
using KbSr.Runtime;
using KbSr.Training;
using static TorchSharp.torch;

namespace KbSr.Tests.Model;

/// <summary>
/// IKC's kernel networks do what IKC needs of them (data/weights/README.md tells how the first IKC Small failed): a
/// Corrector with nothing to add returns its code unchanged; with reflection padding its code does not depend on the
/// image size (with zero padding it does: the border bias that made corrections drift on whole images); and a Predictor
/// trained alone for a few hundred steps tells a sharp blur from a wide one (the collapse to one code would show; it does
/// with the input not centred, <see cref="BaselineConfig.CentredInput"/>).
/// </summary>
public sealed class IkcTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-ikc-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Corrector_WithItsLastLayerZeroed_ReturnsItsInputCodeExactly()
    {
        TorchRuntime.Seed(3);
        using var corrector = new IkcCorrector(3, 8, 10, 0.2);
        using (no_grad())
            foreach (var (name, p) in corrector.named_parameters())
                if (name.StartsWith("global_dense.conv3.", StringComparison.Ordinal)) p.zero_();
        using var scope = NewDisposeScope();
        var code = randn(2, 10);
        var corrected = corrector.call(rand(2, 3, 40, 36), code);
        Assert.Equal(code.data<float>().ToArray(), corrected.data<float>().ToArray());
    }

    /// <summary>IKC's presets start the Corrector as the identity (its last conv at zero), whatever the seed; IKC's own
    /// random start does not.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FreshCorrector_ReturnsItsInputCode_ExactlyWhenItStartsAsTheIdentity(bool identityStart)
    {
        TorchRuntime.Seed(5);
        var preset = ModelRegistry.Preset("ikc-test");
        Assert.True(preset.Baseline!.CorrectorIdentityStart);
        using var ikc = (Ikc)ModelRegistry.Build(preset with { Baseline = preset.Baseline with { CorrectorIdentityStart = identityStart } });
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var code = randn(2, preset.Loss.PcaDims);
        var corrected = ikc.Correct(rand(2, 3, 32, 28), code);
        double change = (corrected - code).abs().max().item<float>();
        if (identityStart) Assert.Equal(0.0, change);
        else Assert.True(change > 1e-4, $"a randomly initialised Corrector changed the code by only {change}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Corrector_OnAUniformImage_GivesOneCodeAtEverySize_OnlyWithReflectionPadding(bool reflect)
    {
        TorchRuntime.Seed(4);
        using var corrector = new IkcCorrector(3, 16, 10, 0.2, reflectPadding: reflect);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var code = randn(1, 10);
        var colour = tensor(new float[] { 0.3f, 0.6f, 0.8f }).view(1, 3, 1, 1);
        var sizes = new[] { 24, 96, 384 };
        var codes = sizes.Select(s => corrector.call(colour.expand(1, 3, s, s), code)).ToList();
        double spread = codes.Skip(1).Max(c => (c - codes[0]).abs().max().item<float>());
        // Float rounding alone moves a code by about 1e-7; the border bias of zero padding, even at initialisation, by 100× more.
        if (reflect) Assert.True(spread < 2e-6, $"reflection padding: codes differ by {spread} between sizes {string.Join(", ", sizes)}");
        else Assert.True(spread > 2e-5, $"zero padding: the border bias should show, but codes differ by only {spread}");
    }

    [Fact]
    public void ParameterFreeOptions_DoNotChangeTheArchitecture_OrTheHashOfConfigsMadeBeforeThem()
    {
        var preset = ModelRegistry.Preset("ikc-small");
        var before = preset with { Baseline = preset.Baseline!.ParameterLayout() };   // as the first IKC Small was configured
        Assert.Equal(preset, before with { Baseline = before.Baseline! with { ReflectPadding = true, ClampSr = true, PredictorLinearOutput = true, CentredInput = true, CorrectorIdentityStart = true } });
        var options = before with
        {
            Baseline = before.Baseline! with { ReflectPadding = true, ClampSr = true, PredictorLinearOutput = true, CentredInput = true, CorrectorIdentityStart = true },
        };
        Assert.Empty(before.ArchitectureDifferences(options));   // a warm start may switch them
        Assert.NotEmpty(before.ArchitectureDifferences(before with { Baseline = before.Baseline! with { EstimatorWidth = 8 } }));
        Assert.DoesNotContain("reflectPadding", before.ToJson());   // off: not written, so older configs keep their hash
        Assert.Contains("\"reflectPadding\": true", options.ToJson());
        Assert.Equal(options, KbSrConfig.FromJson(options.ToJson()));
        using var a = ModelRegistry.Build(before);
        using var b = ModelRegistry.Build(options);
        Assert.Equal(a.Module().named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape))),
                     b.Module().named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape))));
    }

    /// <summary>IKC's Predictor phase on a tiny set of uniform-noise images, 300 steps from a fresh start with blurs of
    /// σ = 0.5 and 3.0: the codes it gives an unseen noise image blurred with each decode to kernels of clearly different
    /// spreads, in that order. The first IKC Small's Predictor gave one code for every blur; so does this one with
    /// <c>centredInput</c> off (data/weights/README.md).</summary>
    [Fact]
    public void Predictor_AFewHundredStepsAlone_TellsASharpBlurFromAWideOne()
    {
        var config = ModelRegistry.Preset("ikc-test") with { KernelSize = 11 };
        config = config with { Baseline = config.Baseline! with { EstimatorWidth = 16, ReflectPadding = true, PredictorLinearOutput = true, CentredInput = true } };
        var options = new TrainOptions
        {
            Model = config, Steps = 300, BatchSize = 8, HrPatch = 48, Schedule = "predictor", LearningRate = 1e-3, LrSchedule = "constant",
            Kernels = KernelDistribution.Fixed([0.5, 3.0], config.KernelSize), ValidateEvery = 0, CheckpointEvery = 1_000, LogEvery = 100, Seed = 9,
        };
        using var images = ModelFixtures.NoiseImages();   // three 64-pixel images of uniform noise: blur shows plainly
        using var trainer = Trainer.StartNew(options, Path.Combine(_root, "run"), images);
        trainer.Log = _ => { };
        Assert.Equal(TrainingEnd.Completed, trainer.Run());

        var ikc = (Ikc)trainer.Network;
        ikc.eval();
        using var checkpoint = Checkpoint.Read(Path.Combine(_root, "run", "checkpoints", "last.ckpt"));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var hr = ModelFixtures.UnseenNoise();   // an image it did not train on
        double Spread(double sigma) =>
            KernelImage.Spread(checkpoint.Pca!.Decode(ikc.Predictor.call(TestSetSynthesis.MakeLr(hr, sigma, config.Scale, config.KernelSize)))[0]);
        double sharp = Spread(0.5), wide = Spread(3.0);
        Assert.True(wide - sharp > 0.5, $"estimated spreads: {sharp:F2} px for σ = 0.5, {wide:F2} px for σ = 3.0");
    }
}
