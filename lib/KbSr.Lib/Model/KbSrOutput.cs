using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// Everything one forward pass of <see cref="KbSrNet"/> produced, for the loss (eq. 3) and for plotting the
/// iterations: the final SR, and per stage t = 1..T the provisional SRt, kernel Kt, pseudo-LR PLRt and difference
/// Dt (lists indexed t − 1), plus K0. Owns its tensors: dispose it (or let an enclosing dispose scope do so).
/// </summary>
public sealed record KbSrOutput(
    Tensor Sr,
    IReadOnlyList<Tensor> SrStages,
    IReadOnlyList<Tensor> Kernels,
    IReadOnlyList<Tensor> PseudoLrs,
    IReadOnlyList<Tensor> Differences,
    IReadOnlyList<Tensor> KernelFields,
    Tensor InitialKernel,
    int MidStage) : IDisposable
{
    /// <summary>SR_mid = SR at stage T/2 (eq. 3).</summary>
    public Tensor SrMid => SrStages[MidStage - 1];

    /// <summary>PLR_mid = pseudo-LR at stage T/2 (eq. 3).</summary>
    public Tensor PseudoLrMid => PseudoLrs[MidStage - 1];

    /// <summary>K_T, the kernel eq. 3's kernel terms compare with the ground truth.</summary>
    public Tensor Kernel => Kernels[^1];

    /// <summary>PLR_T.</summary>
    public Tensor PseudoLr => PseudoLrs[^1];

    /// <summary>Every tensor held, each once (SR is SR_T itself with <see cref="KbSrConfig.FinalFromLastStage"/>).</summary>
    public IEnumerable<Tensor> All() =>
        new[] { Sr, InitialKernel }.Concat(SrStages).Concat(Kernels).Concat(PseudoLrs).Concat(Differences).Concat(KernelFields)
            .Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>();

    public void Dispose()
    {
        foreach (var t in All()) t.Dispose();
    }
}
