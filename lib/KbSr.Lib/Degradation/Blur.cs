using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Degradation;

/// <summary>
/// The blur <c>HR ⊛ k</c> of eq. 1 (docs/method.md §1, §5): a true 2-D convolution (the kernel is flipped before
/// torch's cross-correlation; for Gaussians, which are point-symmetric, both are the same) with reflection
/// padding of k/2 (mode "reflect": the edge pixel is not repeated), giving a same-size output. A different
/// kernel per sample runs as one grouped conv2d over B·C groups (under autograd with a hand-written, faster kernel
/// gradient, see <see cref="PerSampleConvLiteral"/>). Differentiable w.r.t. images and kernels,
/// because the network's pseudo-LR (§2 step 5) blurs its SR estimate with its estimated kernels.
/// </summary>
public static class Blur
{
    /// <summary>
    /// Blurs <paramref name="images"/> [B, C, H, W] with <paramref name="kernels"/> [B, k, k] (one per sample)
    /// or [k, k] (the same for all); k odd, H and W &gt; k/2, kernels on the images' device. Returns [B, C, H, W]
    /// in the images' dtype. <paramref name="byFft"/> lets per-sample kernels take the FFT form
    /// (<see cref="PerSampleConvFft"/>) while <see cref="Runtime.FastForms"/> is on: the network's pseudo-LR uses it;
    /// data synthesis keeps the direct sums, so the 8-bit LR images do not move by a rounding.
    /// </summary>
    public static Tensor Apply(Tensor images, Tensor kernels, bool byFft = false)
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
        else if (Runtime.FastForms.Enabled && byFft)
        {
            result = PerSampleConvFft(padded, flipped);
        }
        else if (Runtime.FastForms.Enabled && is_grad_enabled() && (padded.requires_grad || flipped.requires_grad))
        {
            result = PerSampleConv.apply(padded, flipped);   // same values; a faster kernel gradient (see below)
        }
        else
        {
            result = PerSampleConvLiteral(padded, flipped);
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The per-sample valid correlation as libtorch differentiates it: padded [B, C, H+k−1, W+k−1] with
    /// weights [B, k, k] → [B, C, H, W], one group per (sample, channel), each with its sample's kernel.
    /// Public so that tests can compare the fast gradient with this literal one.</summary>
    public static Tensor PerSampleConvLiteral(Tensor padded, Tensor weights)
    {
        long b = padded.shape[0], c = padded.shape[1], k = weights.shape[^1];
        long h = padded.shape[2] - k + 1, w = padded.shape[3] - k + 1;
        var weight = weights.view(b, 1, 1, k, k).expand(b, c, 1, k, k).reshape(b * c, 1, k, k);
        var folded = padded.reshape(1, b * c, padded.shape[2], padded.shape[3]);
        return nn.functional.conv2d(folded, weight, groups: b * c).view(b, c, h, w);
    }

    /// <summary>
    /// <see cref="PerSampleConvLiteral"/> through the Fourier domain: a k×k direct correlation costs k² = 441
    /// multiply-adds per pixel and channel, two real FFTs and a product about 20·log₂(pixels) operations, and the
    /// gradients (by autograd) are FFTs again. Exact up to float rounding: the circular convolution over an
    /// n×m grid (n ≥ H+k−1, with 2·3·5-smooth sides for a fast FFT) equals the linear one wherever the valid
    /// output needs no wrap-around, which is exactly the rows and columns kept.
    /// </summary>
    public static Tensor PerSampleConvFft(Tensor padded, Tensor weights)
    {
        using var scope = NewDisposeScope();
        long hp = padded.shape[2], wp = padded.shape[3], k = weights.shape[^1];
        long[] grid = [SmoothSize(hp), SmoothSize(wp)];
        // correlation with w = convolution with w flipped; the FFT product is a convolution
        var image = fft.rfft2(padded, grid);                                     // [B, C, n, m/2+1]
        var kernel = fft.rfft2(weights.flip(-2, -1), grid).unsqueeze(1);        // [B, 1, n, m/2+1]
        var full = fft.irfft2(image.mul(kernel), grid);                          // [B, C, n, m]
        return full.narrow(2, k - 1, hp - k + 1).narrow(3, k - 1, wp - k + 1).MoveToOuterDisposeScope();
    }

    /// <summary>The smallest n ≥ <paramref name="size"/> with no prime factor above 5 (fast FFT lengths).</summary>
    public static long SmoothSize(long size)
    {
        for (long n = Math.Max(1, size); ; n++)
        {
            long r = n;
            foreach (long p in (ReadOnlySpan<long>)[2, 3, 5]) while (r % p == 0) r /= p;
            if (r == 1) return n;
        }
    }

    /// <summary>
    /// <see cref="PerSampleConvLiteral"/> with a hand-written backward. libtorch's weight gradient of a grouped
    /// conv with a large (k = 21) kernel takes ~10× the forward; the same sums computed as a grouped correlation
    /// of the padded input with the output gradient (the gradient as the "weight", output k×k) cost about 2× the
    /// forward. The input gradient is the usual grouped transposed conv. Values and gradients are the same sums
    /// in another order (float rounding only), as the tests check against the literal form.
    /// </summary>
    private sealed class PerSampleConv : autograd.SingleTensorFunction<PerSampleConv>
    {
        public override string Name => nameof(PerSampleConv);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var padded = (Tensor)vars[0];
            var weights = (Tensor)vars[1];
            ctx.save_for_backward([padded, weights]);
            ctx.save_data("needs", (padded.requires_grad, weights.requires_grad));
            using var _ = no_grad();
            return PerSampleConvLiteral(padded, weights);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
        {
            var saved = ctx.get_saved_variables();
            Tensor padded = saved[0], weights = saved[1];
            var (paddedNeeds, weightsNeed) = ((bool, bool))ctx.get_data("needs");
            long b = padded.shape[0], c = padded.shape[1], hp = padded.shape[2], wp = padded.shape[3], k = weights.shape[^1];
            long h = grad_output.shape[2], w = grad_output.shape[3];
            var gradient = grad_output.contiguous().reshape(1, b * c, h, w);
            var weight = weights.view(b, 1, 1, k, k).expand(b, c, 1, k, k).reshape(b * c, 1, k, k);
            // ∂/∂padded: each output pixel's gradient spread back over its k×k window.
            var gradPadded = paddedNeeds ? nn.functional.conv_transpose2d(gradient, weight, groups: b * c).view(b, c, hp, wp) : null;
            // ∂/∂weights[b, a, d] = Σ_c Σ_ij grad[b,c,i,j]·padded[b,c,i+a,j+d]: a correlation with the gradient as the kernel.
            var gradWeights = weightsNeed
                ? nn.functional.conv2d(padded.reshape(1, b * c, hp, wp), gradient.view(b * c, 1, h, w), groups: b * c).view(b, c, k, k).sum(1)
                : null;
            return [gradPadded!, gradWeights!];
        }
    }
}
