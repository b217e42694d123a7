using KbSr.Degradation;
using KbSr.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>One evaluation of eq. 3: <see cref="Total"/> (a scalar tensor to call backward on; the caller owns it)
/// and each weighted term's unweighted value for logging.</summary>
public sealed record KbSrLossTerms(Tensor Total, double Sr, double PseudoLr, double SrMid, double PseudoLrMid,
                                   double KernelPca, double KernelNorm, double KernelFull, double KernelNormWeight = 1,
                                   double SrStages = 0) : IDisposable
{
    /// <summary>The total as a number.</summary>
    public double TotalValue => Total.item<float>();

    /// <summary>Term name → unweighted value, in eq. 3's order (for CSV/JSON logs). <c>totalLessKernelNorm</c> is the
    /// total without the weighted ‖K‖₁ term, which is the constant 1 for softmax kernels (docs/method.md §4): the part that
    /// can change, and what progress displays show as "loss".</summary>
    public IReadOnlyDictionary<string, double> Values() => new Dictionary<string, double>
    {
        ["total"] = TotalValue, ["totalLessKernelNorm"] = TotalValue - KernelNormWeight * KernelNorm, ["sr"] = Sr, ["pseudoLr"] = PseudoLr, ["srMid"] = SrMid, ["pseudoLrMid"] = PseudoLrMid,
        ["kernelPca"] = KernelPca, ["kernelNorm"] = KernelNorm, ["kernelFull"] = KernelFull, ["srStages"] = SrStages,
    };

    public void Dispose() => Total.Dispose();
}

/// <summary>
/// The training loss, eq. 3 (docs/method.md §4), each term weighted (<see cref="KbSrLossWeights"/>, all 1 in the paper):
/// <c>MSE(SR, HR) + MSE(PLR_T, LR) + MSE(SR_mid, HR) + MSE(PLR_mid, LR) + L1(P·vec K_pred, P·vec K_gt) + ||K_pred||_1</c>,
/// optionally + mean |K_pred − K_gt| (DANv2's full-kernel L1, which also penalises mass in the corners that the
/// PCA term barely sees) and + mean over t of MSE(SR_t, HR) (<c>SrEveryStage</c>, every-stage supervision).
/// K_pred is K_T, or every K_t (averaged over t) with <c>KernelEveryStage</c>. With <c>L1Images</c> every image
/// term is a mean absolute error instead of an MSE.
/// ||K||_1 is the mean over the batch of Σ|K|: exactly 1 for softmax kernels, kept for fidelity to the paper.
/// The PCA term is the mean absolute difference of the codes (PyTorch's L1Loss).
/// </summary>
public sealed class KbSrLoss
{
    private readonly KernelPca _pca;

    public KbSrLoss(KbSrLossWeights weights, KernelPca pca)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(pca);
        weights.Validate();
        Weights = weights;
        _pca = pca;
    }

    public KbSrLossWeights Weights { get; }

    /// <param name="output">The network's <see cref="KbSrNet.Run"/> result.</param>
    /// <param name="hr">Ground-truth HR [B, 3, s·h, s·w].</param>
    /// <param name="lr">The input LR [B, 3, h, w].</param>
    /// <param name="kernel">Ground-truth kernels [B, k, k].</param>
    /// <param name="phase">§5.3's staged schedule: the SR phase drops the kernel terms, the estimator phase the SR terms.</param>
    public KbSrLossTerms Compute(KbSrOutput output, Tensor hr, Tensor lr, Tensor kernel, TrainingPhase phase = TrainingPhase.Joint)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (kernel.dim() != 3 || kernel.shape[1] != _pca.KernelSize)
            throw new ArgumentException($"ground-truth kernels must be [B, {_pca.KernelSize}, {_pca.KernelSize}] to match the PCA; got [{string.Join(',', kernel.shape)}]", nameof(kernel));
        using var scope = NewDisposeScope();
        var w = phase switch
        {
            TrainingPhase.SrWithTrueKernels => Weights with { KernelPca = 0, KernelNorm = 0, KernelFull = 0 },
            TrainingPhase.EstimatorWithTrueHr => Weights with { Sr = 0, SrMid = 0, SrEveryStage = 0 },
            _ => Weights,
        };
        Func<Tensor, Tensor, Tensor> image = w.L1Images ? (a, b) => nn.functional.l1_loss(a, b) : (a, b) => nn.functional.mse_loss(a, b);
        var sr = image(output.Sr, hr);
        var pseudoLr = image(output.PseudoLr, lr);
        var srMid = image(output.SrMid, hr);
        var pseudoLrMid = image(output.PseudoLrMid, lr);
        var srStages = stack(output.SrStages.Select(s => image(s, hr))).mean();

        IReadOnlyList<Tensor> predicted = w.KernelEveryStage ? output.Kernels : [output.Kernel];
        var codeTarget = _pca.Encode(kernel);
        var kernelPca = stack(predicted.Select(k => (_pca.Encode(k) - codeTarget).abs().mean())).mean();
        var kernelNorm = stack(predicted.Select(k => k.abs().sum([1, 2]).mean())).mean();
        var kernelFull = stack(predicted.Select(k => (k - kernel).abs().mean())).mean();

        var total = w.Sr * sr + w.PseudoLr * pseudoLr + w.SrMid * srMid + w.PseudoLrMid * pseudoLrMid
                  + w.KernelPca * kernelPca + w.KernelNorm * kernelNorm;
        if (w.KernelFull != 0) total = total + w.KernelFull * kernelFull;
        if (w.SrEveryStage != 0) total = total + w.SrEveryStage * srStages;   // off: eq. 3's total, operation for operation
        static double V(Tensor t) => t.detach().item<float>();
        return new KbSrLossTerms(total.MoveToOuterDisposeScope(), V(sr), V(pseudoLr), V(srMid), V(pseudoLrMid),
                                 V(kernelPca), V(kernelNorm), V(kernelFull), w.KernelNorm, V(srStages));
    }
}
