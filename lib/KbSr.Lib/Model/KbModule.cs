using KbSr.Degradation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>Inputs of KB module t (Fig. 1).</summary>
/// <param name="LrFeature">LRf(t−1) [B, C, h, w] (LRf0 for t = 1).</param>
/// <param name="LrFeature0">LRf0 [B, C, h, w], read by the kernel estimator.</param>
/// <param name="Lr">The input LR [B, 3, h, w].</param>
/// <param name="PreviousKernel">K(t−1) [B, k, k].</param>
/// <param name="PreviousSrFeatures">[SRf1 .. SRf(t−1)] concatenated, [B, (t−1)·C, s·h, s·w]; null for t = 1.</param>
/// <param name="PreviousDifference">D(t−1) [B, 3, h, w] for the §5.3 option (zeros for t = 1), else null.</param>
/// <param name="LrUpsampled">Bicubic-upsampled LR for the global-residual option, else null.</param>
/// <param name="KernelOverride">Replaces Kt everywhere it is used (see <see cref="KbSrOverrides"/>), else null.</param>
/// <param name="TrueHr">Builds the pseudo-LR from the true HR and detaches the estimator's inputs, else null.</param>
public sealed record KbModuleInput(Tensor LrFeature, Tensor LrFeature0, Tensor Lr, Tensor PreviousKernel,
                                   Tensor? PreviousSrFeatures, Tensor? PreviousDifference, Tensor? LrUpsampled,
                                   Tensor? KernelOverride = null, Tensor? TrueHr = null);

/// <summary>Outputs of KB module t.</summary>
/// <param name="LrFeature">LRft [B, C, h, w], the input of module t+1; null for the last module, which has no LR path.</param>
/// <param name="SrFeatures">[SRf1 .. SRft] concatenated, [B, t·C, s·h, s·w].</param>
/// <param name="Sr">SRt [B, 3, s·h, s·w].</param>
/// <param name="Kernel">Kt [B, k, k].</param>
/// <param name="KernelField">Per-pixel kernels [B, k, k, h, w] in that variant, else null.</param>
/// <param name="PseudoLr">PLRt = (SRt ⊛ Kt)↓s [B, 3, h, w].</param>
/// <param name="Difference">Dt = (PLRt − LR)² [B, 3, h, w].</param>
public sealed record KbModuleOutput(Tensor? LrFeature, Tensor SrFeatures, Tensor Sr, Tensor Kernel, Tensor? KernelField,
                                    Tensor PseudoLr, Tensor Difference);

/// <summary>
/// KB module t, "kernelized back-projection" (Fig. 1, docs/method.md §2 steps 1–8): SRft = Up(LRf(t−1)); LR'ft =
/// Down(SRft); SRt = conv3(concat SRf1..SRft); Kt from the kernel estimator (Fig. 2); PLRt = (SRt ⊛ Kt)↓s (eq. 1
/// without noise, through the project's blur and MATLAB bicubic, so gradients reach SRt and Kt); Dt = (PLRt − LR)²;
/// LRft = SFT(LR'ft, Dt). With the Table-2 option, a second SFT conditioned on the replicated Kt follows.
/// The last module's LRfT would feed nothing (the output conv reads the SR features), so its Down and SFT layers
/// are not built: every parameter of the network then receives a gradient. Dt is still computed for eq. 3 and plots.
/// </summary>
public sealed class KbModule : nn.Module<KbModuleInput, KbModuleOutput>
{
    private readonly UpProjection up;
    private readonly DownProjection? down;
    private readonly Conv2d sr_head;
    private readonly KernelEstimator estimator;
    private readonly SftLayer? sft;
    private readonly SftLayer? kernel_sft;
    private readonly int _scale;
    private readonly bool _differenceInSft;

    /// <param name="config">The network's hyperparameters.</param>
    /// <param name="stage">t, 1-based: the SR head and the estimator read t·C feature channels.</param>
    /// <param name="last">Whether this is module T (no LR path).</param>
    public KbModule(KbSrConfig config, int stage, bool last) : base(nameof(KbModule))
    {
        ArgumentNullException.ThrowIfNull(config);
        int c = config.Channels, k2 = config.KernelSize * config.KernelSize;
        _scale = config.Scale;
        _differenceInSft = config.DifferenceInSft;
        up = new UpProjection(c, config.Scale);
        down = last ? null : new DownProjection(c, config.Scale);
        sr_head = nn.Conv2d(stage * c, config.ImageChannels, kernel_size: 3, padding: 1);
        estimator = new KernelEstimator(stage * c, c, config.Scale, config.KernelSize, config.EstimatorSlope,
                                        withDifference: config.DifferenceToEstimator, imageChannels: config.ImageChannels,
                                        perPixel: config.PerPixelKernel);
        sft = last ? null : new SftLayer(c, config.ImageChannels, config.SftHidden, config.SftSlope);
        kernel_sft = config.KernelSft && !last ? new SftLayer(c, k2, config.SftHidden, config.SftSlope) : null;
        RegisterComponents();
    }

    public override KbModuleOutput forward(KbModuleInput input)
    {
        var srFeature = BlockProfiler.Run(BlockProfiler.Up, up.call, input.LrFeature);    // step 1: [B, C, s·h, s·w]
        var lrFeatureProjected = down is null ? null : BlockProfiler.Run(BlockProfiler.Down, down.call, srFeature);   // step 2: LR'ft (none in module T)
        var srFeatures = input.PreviousSrFeatures is null ? srFeature : cat([input.PreviousSrFeatures, srFeature], dim: 1);
        var sr = BlockProfiler.Run(BlockProfiler.SrHeads, x => SrHeadConv.Apply(sr_head, x), srFeatures);   // step 3: SRt
        if (input.LrUpsampled is not null) sr = sr + input.LrUpsampled;
        bool estimatorOnly = input.TrueHr is not null;                                   // §5.3: only the estimators learn
        var estimate = BlockProfiler.Run(BlockProfiler.KernelEstimator,
            xs => estimator.call(new KernelEstimatorInput(xs[0]!, xs[1]!, xs[2]!, xs[3])), e => e.Kernel,
            estimatorOnly ? srFeatures.detach() : srFeatures, estimatorOnly ? input.LrFeature0.detach() : input.LrFeature0,
            input.PreviousKernel, input.PreviousDifference);                            // step 4: Kt
        var kernel = input.KernelOverride ?? estimate.Kernel;
        var pseudoLr = PseudoLr(input.TrueHr ?? sr, kernel, _scale);                      // step 5
        var difference = (pseudoLr - input.Lr).square();                                 // step 6: Dt
        if (lrFeatureProjected is null || sft is null)
            return new KbModuleOutput(null, srFeatures, sr, kernel, estimate.Field, pseudoLr, difference);
        var condition = _differenceInSft ? difference : zeros_like(difference);
        var lrFeature = BlockProfiler.Run(BlockProfiler.Sft, sft.call, lrFeatureProjected, condition);   // step 7: LRft
        if (kernel_sft is not null)
        {
            long h = lrFeature.shape[2], w = lrFeature.shape[3];
            var replicated = kernel.flatten(1).view(-1, kernel.shape[1] * kernel.shape[2], 1, 1)
                                   .expand(-1, -1, h, w);                                 // K't: [B, k², h, w]
            lrFeature = BlockProfiler.Run(BlockProfiler.Sft, kernel_sft.call, lrFeature, replicated);
        }
        return new KbModuleOutput(lrFeature, srFeatures, sr, kernel, estimate.Field, pseudoLr, difference);
    }

    /// <summary>Eq. 1 without noise, as the network uses it: <c>(sr ⊛ kernel)↓s</c> with reflection-padded blur and
    /// MATLAB bicubic, unclamped and unrounded so that it stays differentiable in both arguments.
    /// sr [B, 3, H, W], kernel [B, k, k] → [B, 3, ⌈H/s⌉, ⌈W/s⌉].</summary>
    public static Tensor PseudoLr(Tensor sr, Tensor kernel, int scale) =>
        BlockProfiler.Run(BlockProfiler.Bicubic, x => Bicubic.Resize(x, 1.0 / scale),
                          BlockProfiler.Run(BlockProfiler.Blur, (x, y) => Blur.Apply(x, y, byFft: true), sr, kernel));
}
