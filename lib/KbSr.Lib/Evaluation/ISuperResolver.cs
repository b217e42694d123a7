using static TorchSharp.torch;

namespace KbSr.Evaluation;

/// <summary>Anything that turns an LR image into an SR image: the network, the bicubic baseline, a
/// wrapper around another tool. Evaluation and the CLI only talk to this.</summary>
public interface ISuperResolver
{
    /// <summary>Name used in tables ("bicubic", "KB-SR Small", …).</summary>
    string Name { get; }

    /// <summary>Super-resolves <paramref name="lr"/> [1,3,h,w] in [0,1] by <paramref name="scale"/>.
    /// The result's tensors are owned by the caller.</summary>
    SrResult SuperResolve(Tensor lr, int scale);
}

/// <summary>What a super-resolver returns.</summary>
/// <param name="Sr">[1,3,s·h,s·w], not yet clamped or quantised.</param>
/// <param name="Kernel">Estimated blur kernel [k,k] for blind methods, else null.</param>
/// <param name="StageSr">SR_t of every KB stage ([1,3,s·h,s·w] each), for per-stage PSNR; null if none.</param>
/// <param name="StageKernels">K_t of every stage ([k,k] each); null if none.</param>
public sealed record SrResult(Tensor Sr, Tensor? Kernel = null, IReadOnlyList<Tensor>? StageSr = null,
    IReadOnlyList<Tensor>? StageKernels = null) : IDisposable
{
    public void Dispose()
    {
        Sr.Dispose();
        Kernel?.Dispose();
        foreach (var t in StageSr ?? []) t.Dispose();
        foreach (var t in StageKernels ?? []) t.Dispose();
    }
}
