using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// Kernel/stride/padding of every conv and deconv in a DBPN projection unit (docs/method.md §2): ×2 6/2/2,
/// ×3 7/3/2, ×4 8/4/2, ×8 12/8/2. Each makes a deconv map n → s·n exactly ((n−1)·s − 2p + k = s·n) and a
/// conv map s·n → n exactly (⌊(s·n + 2p − k)/s⌋ + 1 = n), for every n ≥ 1 — for ×3 too (3n + 4 − 7 = 3n − 3),
/// so no output padding is needed. The kernel estimator's SR-to-LR conv (Fig. 2 step 1) uses the same geometry.
/// </summary>
public sealed record ProjectionGeometry(int KernelSize, int Stride, int Padding)
{
    /// <summary>The geometry for <paramref name="scale"/>, or null when DBPN defines none.</summary>
    public static ProjectionGeometry? For(int scale) => scale switch
    {
        2 => new(6, 2, 2),
        3 => new(7, 3, 2),
        4 => new(8, 4, 2),
        8 => new(12, 8, 2),
        _ => null,
    };

    /// <summary>As <see cref="For"/>, throwing for unsupported scales.</summary>
    public static ProjectionGeometry Of(int scale) =>
        For(scale) ?? throw new ArgumentOutOfRangeException(nameof(scale), scale, "expected 2, 3, 4 or 8 (the DBPN projection geometries)");

    /// <summary>A conv with this geometry (HR size → LR size).</summary>
    public TorchSharp.Modules.Conv2d Conv(long inChannels, long outChannels) =>
        nn.Conv2d(inChannels, outChannels, kernel_size: KernelSize, stride: Stride, padding: Padding);

    /// <summary>A deconv with this geometry (LR size → HR size).</summary>
    public TorchSharp.Modules.ConvTranspose2d Deconv(long inChannels, long outChannels) =>
        nn.ConvTranspose2d(inChannels, outChannels, kernel_size: KernelSize, stride: Stride, padding: Padding);
}
