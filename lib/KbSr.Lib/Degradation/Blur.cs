using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Degradation;

/// <summary>
/// The blur <c>HR ⊛ k</c> of eq. 1 (method.md §1, §5): a true 2-D convolution (the kernel is flipped before
/// torch's cross-correlation; for Gaussians, which are point-symmetric, both are the same) with reflection
/// padding of k/2 (mode "reflect": the edge pixel is not repeated), giving a same-size output. A different
/// kernel per sample runs as one grouped conv2d over B·C groups. Differentiable w.r.t. images and kernels,
/// because the network's pseudo-LR (§2 step 5) blurs its SR estimate with its estimated kernels.
/// </summary>
public static class Blur
{
    /// <summary>
    /// Blurs <paramref name="images"/> [B, C, H, W] with <paramref name="kernels"/> [B, k, k] (one per sample)
    /// or [k, k] (the same for all); k odd, H and W &gt; k/2, kernels on the images' device. Returns [B, C, H, W]
    /// in the images' dtype.
    /// </summary>
    public static Tensor Apply(Tensor images, Tensor kernels)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(kernels);
        if (images.dim() != 4)
            throw new ArgumentException($"images must be [B, C, H, W]; got [{string.Join(',', images.shape)}]", nameof(images));
        long b = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        bool shared = kernels.dim() == 2;
        if (!shared && !(kernels.dim() == 3 && kernels.shape[0] == b))
            throw new ArgumentException($"kernels must be [B, k, k] with B = {b} (images' batch) or [k, k]; got [{string.Join(',', kernels.shape)}]", nameof(kernels));
        long k = kernels.shape[^1];
        if (kernels.shape[^2] != k || k % 2 == 0)
            throw new ArgumentException($"kernels must be square with an odd side; got [{string.Join(',', kernels.shape)}]", nameof(kernels));
        long pad = k / 2;
        if (h <= pad || w <= pad)
            throw new ArgumentException($"images of {h}×{w} are too small for a {k}×{k} kernel: reflection padding of {pad} needs H and W > {pad}", nameof(images));
        if (kernels.device_type != images.device_type || kernels.device_index != images.device_index)
            throw new ArgumentException($"kernels are on {kernels.device} but images on {images.device}; move them first", nameof(kernels));

        using var scope = NewDisposeScope();
        var flipped = kernels.to(images.dtype).flip(-2, -1);   // conv2d correlates; eq. 1 convolves
        var padded = nn.functional.pad(images, new[] { pad, pad, pad, pad }, PaddingModes.Reflect);
        Tensor result;
        if (shared)
        {
            var weight = flipped.view(1, 1, k, k).expand(c, 1, k, k);   // [C, 1, k, k]
            result = nn.functional.conv2d(padded, weight, groups: c);
        }
        else
        {
            // Fold the batch into channels: one group per (sample, channel), each with its sample's kernel.
            var weight = flipped.view(b, 1, 1, k, k).expand(b, c, 1, k, k).reshape(b * c, 1, k, k);
            var folded = padded.reshape(1, b * c, h + 2 * pad, w + 2 * pad);
            result = nn.functional.conv2d(folded, weight, groups: b * c).view(b, c, h, w);
        }
        return result.MoveToOuterDisposeScope();
    }
}
