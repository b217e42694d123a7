using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// Replacements for the network's own estimates, for §5.3's staged schedule, the kernel-estimator notebook
/// and tiled inference. Null fields mean "no replacement".
/// </summary>
/// <param name="Kernels">K_t for every stage t = 1..T (one [B,k,k] tensor per stage, or a single tensor used for
/// every stage): replaces the estimator's output everywhere it is used — the pseudo-LR, the next stage's
/// estimator and the kernel SFT. With the true kernels this trains the SR path alone (§5.3, first phase);
/// with consensus kernels it makes tiles of one image agree (<see cref="Inference.TiledSuperResolver"/>).</param>
/// <param name="TrueHr">[B,3,s·h,s·w]: the pseudo-LR is built from this instead of SR_t, and the estimators read
/// detached features, so only the estimators learn (§5.3, second phase).</param>
public sealed record KbSrOverrides(IReadOnlyList<Tensor>? Kernels = null, Tensor? TrueHr = null)
{
    /// <summary>The same kernels [B,k,k] for every stage.</summary>
    public static KbSrOverrides WithKernel(Tensor kernels) => new(Kernels: [kernels]);

    /// <summary>K_t's replacement for stage <paramref name="stage"/> (1-based), or null.</summary>
    public Tensor? KernelFor(int stage) =>
        Kernels is null ? null : Kernels.Count == 1 ? Kernels[0] : Kernels[stage - 1];
}
