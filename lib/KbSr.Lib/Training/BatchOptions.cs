using KbSr.Degradation;

namespace KbSr.Training;

/// <summary>How training batches are synthesised (docs/method.md §5, docs/design.md §3.5).</summary>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="HrPatch">HR crop size in pixels (a multiple of <paramref name="Scale"/>).</param>
/// <param name="Scale">Super-resolution factor s.</param>
/// <param name="Kernels">Blur-kernel distribution; the paper's is 21×21 isotropic σ ~ U[0.2, 4.0].</param>
/// <param name="Quantize">Round LR to 8 bits, as saved test images are [choice, as DAN].</param>
/// <param name="NoiseSigma">Gaussian noise standard deviation on the [0,1] scale (0 = none, the paper).</param>
/// <param name="Augment">Random flips and 90° rotations.</param>
/// <param name="Rotate">With <paramref name="Augment"/>: the 90° rotations too (false = flips only, the paper's §5:
/// the same crops and flips are drawn, only the rotation is left out).</param>
public sealed record BatchOptions(
    int BatchSize,
    int HrPatch,
    int Scale,
    KernelDistribution Kernels,
    bool Quantize = true,
    double NoiseSigma = 0,
    bool Augment = true,
    bool Rotate = true)
{
    /// <summary>Largest batch × HR patch² accepted.</summary>
    public const long MaxBatchPixels = 4096L * 128 * 128;

    public void Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"batch size must be ≥ 1, got {BatchSize}");
        // A bound on one batch's HR pixels (4096 patches of 128²), so that a typo cannot make the trainer allocate
        // without bound: the network's activations grow with it, at several hundred bytes per pixel.
        if ((long)BatchSize * HrPatch * HrPatch > MaxBatchPixels)
            throw new ArgumentException($"batch {BatchSize} × HR patch {HrPatch}² = {(long)BatchSize * HrPatch * HrPatch:N0} HR pixels per step; " +
                                        $"at most {MaxBatchPixels:N0} (e.g. --batch 16 --patch 96 is 147,456)");
        if (Scale < 1) throw new ArgumentException($"scale must be ≥ 1, got {Scale}");
        if (HrPatch < Scale || HrPatch % Scale != 0)
            throw new ArgumentException($"HR patch {HrPatch} must be a positive multiple of the scale {Scale}");
        if (!(NoiseSigma >= 0) || !double.IsFinite(NoiseSigma)) throw new ArgumentException($"noise sigma must be ≥ 0, got {NoiseSigma}");
    }
}
