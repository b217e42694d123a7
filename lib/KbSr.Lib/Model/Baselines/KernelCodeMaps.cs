using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// SRMD's dimensionality stretching (Zhang et al., CVPR 2018, Fig. 2), shared by every kernel-conditioned network
/// here: the kernel's t-dimensional PCA code becomes t constant maps of the image's size, so that convolutions can
/// read it beside the pixels. code [B, t] → [B, t, h, w] (a broadcast view, no copy).
/// </summary>
public static class KernelCodeMaps
{
    public static Tensor Stretch(Tensor code, long height, long width)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (code.dim() != 2) throw new ArgumentException($"kernel codes must be [B, t]; got [{string.Join(',', code.shape)}]", nameof(code));
        return code.view(code.shape[0], code.shape[1], 1, 1).expand(-1, -1, height, width);
    }

    /// <summary>The LR image with its kernel maps appended: [B, c, h, w] and [B, t] → [B, c + t, h, w].</summary>
    public static Tensor Concat(Tensor image, Tensor code)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.shape[0] != code.shape[0])
            throw new ArgumentException($"batch sizes differ: image {image.shape[0]}, kernel codes {code.shape[0]}", nameof(code));
        return cat([image, Stretch(code, image.shape[2], image.shape[3])], dim: 1);
    }
}
