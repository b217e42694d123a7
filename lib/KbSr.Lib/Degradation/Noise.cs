using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Degradation;

/// <summary>
/// The additive noise <c>n</c> of eq. 1: white Gaussian noise of standard deviation σ in [0, 1] intensity
/// units (σ = 15/255 is "noise level 15" in the SRMD/IKC tables). The paper trains noise-free (σ = 0).
/// </summary>
public static class Noise
{
    /// <summary>
    /// <paramref name="x"/> + σ·N(0, 1), same shape, device and dtype; no clamping. With a generator, the noise
    /// is drawn on the generator's device (then moved), so a seed gives the same noise on every device.
    /// σ = 0 returns an alias of <paramref name="x"/> (no copy).
    /// </summary>
    public static Tensor AddGaussian(Tensor x, double sigma, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!(sigma >= 0) || !double.IsFinite(sigma))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "noise σ must be finite and ≥ 0 ([0, 1] intensity units)");
        if (!x.is_floating_point())
            throw new ArgumentException($"x must be a floating-point tensor; got {x.dtype}", nameof(x));
        if (sigma == 0) return x.alias();
        using var scope = NewDisposeScope();
        var noise = generator is null
            ? randn(x.shape, dtype: x.dtype, device: x.device)
            : randn(x.shape, dtype: x.dtype, device: generator.device, generator: generator).to(x.device);
        return (x + sigma * noise).MoveToOuterDisposeScope();
    }
}
