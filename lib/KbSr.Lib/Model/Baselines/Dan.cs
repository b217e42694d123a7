using KbSr.Degradation;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// DAN, the deep alternating network (Luo, Huang, Li, Wang and Tan, "Unfolding the Alternating Optimization for Blind
/// Super Resolution", NeurIPS 2020; DANv1): blind SR by alternating two networks, each conditioned on the other's latest
/// output, unrolled N times from the Dirac kernel: SR_i = R(LR, k_{i−1}); k_i = E(SR_i, LR). N = <c>baseline.iterations</c>
/// (4 in DAN's code). Kernels are codes in the PCA stored with the weights (t = <c>Loss.PcaDims</c>; DAN: 10). As in
/// DAN's code, each network reads the other's output detached, and training supervises the last iteration only
/// (L1 to HR and L1 to the true code, <see cref="Training.DanObjective"/>). LR [B, 3, h, w] → SR [B, 3, s·h, s·w].
/// </summary>
public sealed class Dan : nn.Module<Tensor, Tensor>, ISrNetwork
{
    public const string Name = "dan";

    private readonly DanRestorer restorer;
    private readonly DanEstimator estimator;

    // k_0: the code of the Dirac kernel in the PCA the network is trained with. Saved with the weights (a buffer, not a
    // parameter); zeros — the PCA's mean kernel — until UseKernelPca sets it.
    private readonly Tensor start_code;

    public Dan(KbSrConfig config) : base(nameof(Dan))
    {
        var b = BaselineChecks.Require(config, Name);
        if (b.EstimatorBlocks < 1) throw new ArgumentException($"DAN needs baseline.estimatorBlocks ≥ 1 (its Estimator's blocks; DAN: 5); got {b.EstimatorBlocks}", nameof(config));
        Config = config;
        int t = config.Loss.PcaDims;
        restorer = new DanRestorer(config.ImageChannels, b.Channels, b.Blocks, t, config.Scale, b.Slope);
        estimator = new DanEstimator(config.ImageChannels, b.EstimatorWidth, b.EstimatorBlocks, t, config.Scale, b.Slope, b.CentredInput);
        start_code = zeros(1, t);
        RegisterComponents();
    }

    public KbSrConfig Config { get; }

    public DanRestorer Restorer => restorer;
    public DanEstimator Estimator => estimator;

    /// <summary>k_0 [1, t].</summary>
    public Tensor StartCode => start_code;

    /// <summary>Sets k_0 to the code of the Dirac kernel (a single 1 at the centre) in <paramref name="pca"/>, the PCA
    /// stored with the weights. The trainer and the super-resolver call it; it is saved with the weights.</summary>
    public void UseKernelPca(KernelPca pca)
    {
        ArgumentNullException.ThrowIfNull(pca);
        if (pca.Dims != Config.Loss.PcaDims || pca.KernelSize != Config.KernelSize)
            throw new ArgumentException($"DAN needs a {Config.KernelSize}×{Config.KernelSize} kernel PCA of {Config.Loss.PcaDims} dims; got {pca.KernelSize}×{pca.KernelSize}, {pca.Dims}", nameof(pca));
        using var scope = NewDisposeScope();
        var dirac = zeros(1, pca.KernelSize, pca.KernelSize);
        dirac[0, pca.KernelSize / 2, pca.KernelSize / 2] = tensor(1f);
        using (no_grad()) start_code.copy_(pca.Encode(dirac));
    }

    /// <summary>Lean inference: the final SR image only.</summary>
    public override Tensor forward(Tensor lr)
    {
        using var scope = NewDisposeScope();
        using var output = Run(lr);
        return output.FinalSr.clone().MoveToOuterDisposeScope();
    }

    /// <summary>All iterations (see <see cref="CodeIterations"/>); <paramref name="iterations"/> defaults to the config's N.</summary>
    public CodeIterations Run(Tensor lr, int? iterations = null)
    {
        int n = iterations ?? Config.Baseline!.Iterations;
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(iterations), n, "expected ≥ 1");
        ArgumentNullException.ThrowIfNull(lr);
        if (lr.dim() != 4 || lr.shape[1] != Config.ImageChannels)
            throw new ArgumentException($"LR must be [B, {Config.ImageChannels}, h, w]; got [{string.Join(',', lr.shape)}]", nameof(lr));
        using var scope = NewDisposeScope();
        var code = start_code.expand(lr.shape[0], -1);
        var srs = new List<Tensor>();
        var codes = new List<Tensor>();
        for (int i = 1; i <= n; i++)
        {
            srs.Add(restorer.call(lr, code.detach()));
            codes.Add(estimator.call(srs[^1].detach(), lr));
            code = codes[^1];
        }
        var output = new CodeIterations(srs, codes);
        foreach (var t in srs.Concat(codes)) t.MoveToOuterDisposeScope();
        return output;
    }
}
