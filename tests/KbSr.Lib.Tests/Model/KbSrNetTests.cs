using KbSr.Degradation;
using KbSr.Model;
using KbSr.Training;
using TorchSharp;
using static KbSr.Tests.Model.ModelFixtures;
using static TorchSharp.torch;

namespace KbSr.Tests.Model;

public sealed class KbSrNetTests
{
    [Theory]
    [InlineData(2, 5, 7)]
    [InlineData(3, 5, 4)]
    [InlineData(4, 3, 5)]
    [InlineData(4, 6, 6)]
    public void Run_AnyScaleAndOddSizes_GivesEveryOutputItsShape(int scale, int h, int w)
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test with { Scale = scale, Stages = 3 };
        using var network = Network(config);
        using var output = network.Run(rand(2, 3, h, w));
        long[] hr = [2, 3, scale * h, scale * w], lr = [2, 3, h, w], kernel = [2, 5, 5];
        Assert.Equal(hr, output.Sr.shape);
        Assert.Equal(kernel, output.InitialKernel.shape);
        Assert.Equal(3, output.SrStages.Count);
        Assert.Equal(3, output.Kernels.Count);
        Assert.Equal(3, output.PseudoLrs.Count);
        Assert.Equal(3, output.Differences.Count);
        Assert.All(output.SrStages, t => Assert.Equal(hr, t.shape));
        Assert.All(output.PseudoLrs, t => Assert.Equal(lr, t.shape));
        Assert.All(output.Differences, t => Assert.Equal(lr, t.shape));
        Assert.All(output.Kernels, t => Assert.Equal(kernel, t.shape));
        Assert.Same(output.SrStages[0], output.SrMid);   // T = 3 → mid = 1
        Assert.Equal(hr, network.call(rand(2, 3, h, w)).shape);
    }

    /// <summary>Every kernel is a softmax over its own k² taps: non-negative, summing to 1 per sample, and one sample's
    /// input does not move another's kernel (a softmax over the batch would break both).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Kernels_EveryStage_AreNonNegativeAndSumToOne_PerSample(bool perPixel)
    {
        using var scope = NewDisposeScope();
        using var network = Network(KbSrConfig.Test with { Stages = 3, PerPixelKernel = perPixel });
        network.eval();
        var lr = rand(3, 3, 6, 7);
        using var output = network.Run(lr);
        foreach (var k in output.Kernels.Append(output.InitialKernel))
        {
            Assert.True(k.min().item<float>() >= 0, "negative kernel entry");
            Close(k.sum([1, 2]), ones(3), 1e-5, "Σ K");
        }
        var other = lr.clone();
        other[2] = rand(3, 6, 7);
        using var changed = network.Run(other);
        foreach (var (a, b) in output.Kernels.Append(output.InitialKernel).Zip(changed.Kernels.Append(changed.InitialKernel)))
        {
            Close(b[..2], a[..2], 1e-6, "samples 0 and 1, whose inputs did not change");
            Assert.True((b[2] - a[2]).abs().max().item<float>() > 1e-7, "sample 2's kernel must follow its input");
        }
        if (!perPixel) return;
        Assert.Equal(3, output.KernelFields.Count);
        Assert.Equal(new long[] { 3, 5, 5, 6, 7 }, output.KernelFields[0].shape);
        Close(output.KernelFields[0].sum([1, 2]), ones(3, 6, 7), 1e-5, "Σ K per pixel");
        Close(output.KernelFields[0].mean([3, 4]), output.Kernels[0], 1e-6, "kernel = mean of the field");
    }

    [Fact]
    public void Difference_IsSquaredPseudoLrError()
    {
        using var scope = NewDisposeScope();
        using var network = Network();
        var lr = rand(2, 3, 6, 6);
        using var output = network.Run(lr);
        Close(output.Differences[1], (output.PseudoLrs[1] - lr).square(), 0, "D_t");
        Close(output.PseudoLrs[1], KbModule.PseudoLr(output.SrStages[1], output.Kernels[1], 2), 1e-6, "PLR_t from SR_t and K_t");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void PseudoLr_WithTrueHrAndKernel_EqualsDegradedLr(int scale)
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test with { Scale = scale, KernelSize = 7 };
        var (hr, _, kernel) = Batch(config, h: 7, w: 5);
        var pseudo = KbModule.PseudoLr(hr, kernel, scale);
        Close(pseudo, Degrader.Degrade(hr, kernel, scale, quantize: false, clamp: false), 1e-6, "unquantised");
        // With 8-bit rounding the pipeline's LR differs by at most half a level (plus clamping, here inactive).
        var inRange = hr * 0.8 + 0.1;
        Close(KbModule.PseudoLr(inRange, kernel, scale), Degrader.Degrade(inRange, kernel, scale), 0.5 / 255 + 1e-6, "8-bit");
    }

    [Fact]
    public void Backward_OfEq3_ReachesEveryParameter()
    {
        foreach (var config in new[]
                 {
                     KbSrConfig.Test,
                     KbSrConfig.Test with { Stages = 3, KernelSft = true, DifferenceToEstimator = true, PerPixelKernel = true, GlobalResidual = true },
                 })
        {
            using var scope = NewDisposeScope();
            using var network = Network(config);
            using var pca = Pca(config);
            var (hr, lr, kernel) = Batch(config);
            using var output = network.Run(lr);
            using var terms = new KbSrLoss(config.Loss, pca).Compute(output, hr, lr, kernel);
            terms.Total.backward();
            foreach (var (name, p) in network.named_parameters())
            {
                Assert.True(p.grad is not null, $"{name}: no gradient");
                Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name}: all-zero gradient");
            }
        }
    }

    [Fact]
    public void Backward_OfPseudoLrTermAlone_ReachesTheKernelEstimator()
    {
        using var scope = NewDisposeScope();
        using var network = Network();
        var (_, lr, _) = Batch(KbSrConfig.Test);
        using var output = network.Run(lr);
        // K_T influences nothing but PLR_T: a gradient in stage T's estimator can only have come through eq. 1.
        nn.functional.mse_loss(output.PseudoLr, lr).backward();
        var grads = network.named_parameters().Where(x => x.name.StartsWith("stages.1.estimator.", StringComparison.Ordinal)).ToList();
        Assert.Equal(8, grads.Count);
        Assert.All(grads, x => Assert.True(x.parameter.grad is not null && x.parameter.grad.abs().sum().item<float>() > 0, x.name));
        Assert.True(network.named_parameters().Single(x => x.name == "stages.1.sr_head.weight").parameter.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void SameSeed_GivesBitIdenticalOutputs()
    {
        using var scope = NewDisposeScope();
        var lr = rand(2, 3, 5, 6);
        using var a = Network(seed: 11);
        using var b = Network(seed: 11);
        using var c = Network(seed: 12);
        using var outA = a.Run(lr);
        using var outB = b.Run(lr);
        Assert.True(Identical(outA.Sr, outB.Sr));
        Assert.True(Identical(outA.Kernel, outB.Kernel));
        Assert.True(Identical(outA.Sr, a.call(lr)), "lean path = full path");
        Assert.False(Identical(outA.Sr, c.call(lr)), "another seed gives another network");
    }

    [Fact]
    public void StateDict_TestPreset_HasPinnedEntryCount()
    {
        // Hand count: extract 2 convs ×(w, b) + 2 PReLU = 6; initial estimator 6 convs = 12; a non-last module:
        // Up 3×(w, b) + 3 PReLU = 9, Down 9, SR head 2, estimator 4 convs = 8, SFT 4 convs = 8 → 36; the last
        // module has no Down/SFT → 19; reconstruct 2. Test (T = 2): 6 + 12 + 36 + 19 + 2 = 75; Paper (T = 10): 363.
        using var network = Network();
        Assert.Equal(75, network.state_dict().Count);
        using var withKernelSft = Network(KbSrConfig.Test with { KernelSft = true });
        Assert.Equal(83, withKernelSft.state_dict().Count);
    }

    [Fact]
    public void FinalFromLastStage_OutputsSrT_WithoutTheReconstructionConv_AndEq3sPseudoLrTermReachesIt()
    {
        using var scope = NewDisposeScope();
        var config = KbSrConfig.Test with { FinalFromLastStage = true };
        var (hr, lr, kernel) = Batch(config);
        using var base_ = Network();
        using var net = Network(config);
        long c = config.Channels, t = config.Stages;
        long reconstruct = t * c * config.ImageChannels * 9 + config.ImageChannels;   // 3×3 conv over [SRf1..SRfT] → RGB
        Assert.Equal(base_.parameters().Sum(p => p.numel()) - reconstruct, net.parameters().Sum(p => p.numel()));
        Assert.DoesNotContain(net.named_parameters(), p => p.name.StartsWith("reconstruct", StringComparison.Ordinal));

        using var output = net.Run(lr);
        Assert.Same(output.SrStages[^1], output.Sr);
        Assert.True(Identical(net.call(lr), output.Sr));   // the lean path gives the same image
        Assert.Equal(output.All().Count(), output.All().Distinct(ReferenceEqualityComparer.Instance).Count());

        // Eq. 3's PLR_T term alone now trains the output: it reaches stage T's head, which makes SR.
        using var pca = Pca(config);
        var weights = new KbSrLossWeights { Sr = 0, PseudoLr = 1, SrMid = 0, PseudoLrMid = 0, KernelPca = 0, KernelNorm = 0, PcaDims = config.Loss.PcaDims };
        using var terms = new KbSrLoss(weights, pca).Compute(output, hr, lr, kernel);
        terms.Total.backward();
        var head = net.named_parameters().Single(p => p.name == $"stages.{t - 1}.sr_head.weight").parameter;
        Assert.True(head.grad is not null && head.grad.abs().sum().item<float>() > 0);

        Assert.DoesNotContain("finalFromLastStage", KbSrConfig.Small.ToJson());   // earlier configs keep their hash
        var e = Assert.Throws<InvalidOperationException>(() => config.EnsureCompatible(KbSrConfig.Test));
        Assert.Contains("FinalFromLastStage", e.Message);
    }

    [Fact]
    public void DifferenceInSftOff_KeepsParametersAndChangesOutputs()
    {
        using var scope = NewDisposeScope();
        var lr = rand(1, 3, 6, 6);
        using var on = Network();
        using var off = Network(KbSrConfig.Test with { DifferenceInSft = false });
        Assert.Equal(on.parameters().Sum(p => p.numel()), off.parameters().Sum(p => p.numel()));
        Assert.False(Identical(on.call(lr), off.call(lr)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SftCondition_IsDt_TheSquaredPseudoLrError_NotThePseudoLr(bool differenceInSft)
    {
        // What each stage's SFT layer receives as its condition, read with a forward pre-hook: D_t = (PLR_t − LR)² of
        // that same stage (Fig. 1, step 7), recomputed here from the stage's PLR_t; zeros with the "no D_t" ablation.
        using var scope = NewDisposeScope();
        using var network = Network(KbSrConfig.Test with { Stages = 3, DifferenceInSft = differenceInSft });
        var sfts = network.named_modules().Where(m => m.module is SftLayer).ToList();
        Assert.Equal(["stages.0.sft", "stages.1.sft"], sfts.Select(m => m.name));   // module T has no SFT
        var conditions = new Dictionary<string, Tensor>();
        foreach (var (name, module) in sfts)
            ((SftLayer)module).register_forward_pre_hook((_, _, condition) =>
            {
                conditions[name] = condition.detach().clone().DetachFromDisposeScope();
                return null;
            });
        var lr = rand(2, 3, 6, 6);
        using var output = network.Run(lr);
        try
        {
            for (int t = 0; t < 2; t++)
            {
                var condition = conditions[$"stages.{t}.sft"];
                var expected = differenceInSft ? (output.PseudoLrs[t] - lr).square() : zeros_like(lr);
                Close(condition, expected, 0, $"SFT condition of stage {t + 1}");
                // PLR_t and D_t are far apart here, so feeding PLR_t instead could not pass the line above
                Assert.True(MaxAbsDiff(output.PseudoLrs[t], expected) > 0.1, "PLR_t and D_t should differ");
            }
        }
        finally
        {
            foreach (var c in conditions.Values) c.Dispose();
        }
    }

    [Fact]
    public void Forward_TooSmallForTheKernel_ThrowsNamingTheSizes()
    {
        using var network = Network(KbSrConfig.Test with { KernelSize = 21 });
        var e = Assert.Throws<ArgumentException>(() => network.call(rand(1, 3, 4, 4)));
        Assert.Contains("4×4", e.Message, StringComparison.Ordinal);
    }
}
