using KbSr.Degradation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// The KB-SR network, Fig. 1 (docs/method.md §2): DBPN's initial feature extraction (conv3 3→n0, conv1 n0→C, each with
/// PReLU) gives LRf0; IKC's Predictor geometry gives K0; T KB modules alternate SR and kernel estimation; the final
/// conv reads the concatenation of all SR features [SRf1 .. SRfT]. <see cref="forward"/> is the lean inference
/// path (SR only); <see cref="Run"/> returns every intermediate (<see cref="KbSrOutput"/>) for eq. 3 and plots.
/// LR [B, 3, h, w] → SR [B, 3, s·h, s·w].
/// </summary>
public sealed class KbSrNet : nn.Module<Tensor, Tensor>, ISrNetwork
{
    private readonly Conv2d extract_conv;
    private readonly PReLU extract_act;
    private readonly Conv2d reduce_conv;
    private readonly PReLU reduce_act;
    private readonly InitialKernelEstimator initial_estimator;
    private readonly ModuleList<KbModule> stages;
    private readonly Conv2d? reconstruct;   // null when the final SR is stage T's (KbSrConfig.FinalFromLastStage)

    public KbSrNet(KbSrConfig config) : base(nameof(KbSrNet))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        extract_conv = nn.Conv2d(config.ImageChannels, config.InitialChannels, kernel_size: 3, padding: 1);
        extract_act = nn.PReLU(num_parameters: 1, init: 0.25);
        reduce_conv = nn.Conv2d(config.InitialChannels, config.Channels, kernel_size: 1);
        reduce_act = nn.PReLU(num_parameters: 1, init: 0.25);
        initial_estimator = new InitialKernelEstimator(config.ImageChannels, config.EstimatorWidth, config.KernelSize,
                                                       config.EstimatorSlope, config.EstimatorLastActivation);
        stages = nn.ModuleList(Enumerable.Range(1, config.Stages).Select(t => new KbModule(config, t, last: t == config.Stages)).ToArray());
        reconstruct = config.FinalFromLastStage ? null : nn.Conv2d(config.Stages * config.Channels, config.ImageChannels, kernel_size: 3, padding: 1);
        RegisterComponents();
        DbpnInit.Apply(this);
    }

    public KbSrConfig Config { get; }

    /// <summary>Lean inference: the final SR only [B, 3, s·h, s·w]; no per-stage tensors survive the call.</summary>
    public override Tensor forward(Tensor lr)
    {
        using var scope = NewDisposeScope();
        return Forward(lr, keep: null).MoveToOuterDisposeScope();
    }

    /// <summary>Lean inference with replaced kernels or HR (see <see cref="KbSrOverrides"/>): the final SR only.</summary>
    public Tensor Forward(Tensor lr, KbSrOverrides overrides)
    {
        using var scope = NewDisposeScope();
        return Forward(lr, keep: null, overrides).MoveToOuterDisposeScope();
    }

    /// <summary>The full forward pass with every intermediate (see <see cref="KbSrOutput"/>).</summary>
    public KbSrOutput Run(Tensor lr, KbSrOverrides? overrides = null)
    {
        using var scope = NewDisposeScope();
        var keep = new Stages();
        var sr = Forward(lr, keep, overrides);
        var output = new KbSrOutput(sr, keep.Sr, keep.Kernels, keep.PseudoLrs, keep.Differences, keep.Fields, keep.Initial!,
                                    Config.MidStage);
        foreach (var t in output.All()) t.MoveToOuterDisposeScope();
        return output;
    }

    private Tensor Forward(Tensor lr, Stages? keep, KbSrOverrides? overrides = null)
    {
        CheckInput(lr);
        var lrFeature0 = BlockProfiler.Run(BlockProfiler.Extract,
            x => reduce_act.call(reduce_conv.call(extract_act.call(extract_conv.call(x)))), lr);      // LRf0 [B, C, h, w]
        var kernel = BlockProfiler.Run(BlockProfiler.InitialEstimator, initial_estimator.call, lr);  // K0 [B, k, k]
        var lrUpsampled = Config.GlobalResidual ? Bicubic.Resize(lr, Config.Scale) : null;
        Tensor? difference = Config.DifferenceToEstimator ? zeros_like(lr) : null;   // D0: no pseudo-LR yet
        keep?.Initial = kernel;
        Tensor? lrFeature = lrFeature0;
        Tensor? srFeatures = null, lastSr = null;
        int t = 0;
        foreach (var stage in stages)
        {
            // One dispose scope per stage: its intermediates are freed as soon as the stage is done (autograd keeps
            // what backward needs by its own references), so peak memory is one stage's work, not all of them.
            using var stageScope = NewDisposeScope();
            var kernelOverride = overrides?.KernelFor(++t);
            var o = stage.call(new KbModuleInput(lrFeature!, lrFeature0, lr, kernel, srFeatures,
                                                 Config.DifferenceToEstimator ? difference : null, lrUpsampled,
                                                 kernelOverride, overrides?.TrueHr));
            // Every output was made in the stage, except an imposed kernel, which belongs to the caller.
            foreach (var output in new[] { o.LrFeature, o.SrFeatures, o.Sr, o.Kernel, o.KernelField, o.PseudoLr, o.Difference })
                if (output is not null && !ReferenceEquals(output, kernelOverride)) output.MoveToOuterDisposeScope();
            if (keep is null && t > 1)
            {
                // Lean inference: the previous stage's LR feature and SR-feature stack are superseded.
                if (!ReferenceEquals(lrFeature, o.LrFeature)) lrFeature?.Dispose();
                if (!ReferenceEquals(srFeatures, o.SrFeatures)) srFeatures?.Dispose();
            }
            (lrFeature, srFeatures, kernel, difference, lastSr) = (o.LrFeature, o.SrFeatures, o.Kernel, o.Difference, o.Sr);
            if (keep is null) continue;
            keep.Sr.Add(o.Sr);
            keep.Kernels.Add(o.Kernel);
            keep.PseudoLrs.Add(o.PseudoLr);
            keep.Differences.Add(o.Difference);
            if (o.KernelField is not null) keep.Fields.Add(o.KernelField);
        }
        if (reconstruct is null) return lastSr!;   // SR_T, global residual included
        var sr = BlockProfiler.Run(BlockProfiler.SrHeads, x => SrHeadConv.Apply(reconstruct, x), srFeatures!);           // [B, 3, s·h, s·w]
        return lrUpsampled is null ? sr : sr + lrUpsampled;
    }

    private void CheckInput(Tensor lr)
    {
        ArgumentNullException.ThrowIfNull(lr);
        if (lr.dim() != 4 || lr.shape[1] != Config.ImageChannels)
            throw new ArgumentException($"LR must be [B, {Config.ImageChannels}, h, w]; got [{string.Join(',', lr.shape)}]", nameof(lr));
        long pad = Config.KernelSize / 2;
        if (lr.shape[2] * Config.Scale <= pad || lr.shape[3] * Config.Scale <= pad)
            throw new ArgumentException($"LR of {lr.shape[2]}×{lr.shape[3]} is too small: the pseudo-LR blurs the ×{Config.Scale} SR with a " +
                                        $"{Config.KernelSize}×{Config.KernelSize} kernel, which needs SR sides > {pad}", nameof(lr));
    }

    private sealed class Stages
    {
        public Tensor? Initial;
        public readonly List<Tensor> Sr = [], Kernels = [], PseudoLrs = [], Differences = [], Fields = [];
    }
}
