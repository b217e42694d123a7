using KbSr.Degradation;

namespace KbSr.Training;

/// <summary>How training batches are synthesised (method.md §5, design.md §3.5).</summary>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="HrPatch">HR crop size in pixels (a multiple of <paramref name="Scale"/>).</param>
/// <param name="Scale">Super-resolution factor s.</param>
/// <param name="Kernels">Blur-kernel distribution; the paper's is 21×21 isotropic σ ~ U[0.2, 4.0].</param>
/// <param name="Quantize">Round LR to 8 bits, as saved test images are [choice, as DAN].</param>
/// <param name="NoiseSigma">Gaussian noise standard deviation on the [0,1] scale (0 = none, the paper).</param>
/// <param name="Augment">Random flips and 90° rotations.</param>
public sealed record BatchOptions(
    int BatchSize,
    int HrPatch,
    int Scale,
    KernelDistribution Kernels,
    bool Quantize = true,
    double NoiseSigma = 0,
    bool Augment = true)
{
    public void Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"batch size must be ≥ 1, got {BatchSize}");
        if (Scale < 1) throw new ArgumentException($"scale must be ≥ 1, got {Scale}");
        if (HrPatch < Scale || HrPatch % Scale != 0)
            throw new ArgumentException($"HR patch {HrPatch} must be a positive multiple of the scale {Scale}");
        if (NoiseSigma < 0) throw new ArgumentException($"noise sigma must be ≥ 0, got {NoiseSigma}");
    }
}
