using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Evaluation;

/// <summary>
/// The common front of every metric (docs/method.md §8.2): quantise SR and HR to 8 bits as saved PNGs
/// would be, take the luma (or, for a grey image, its own grey channel, no studio swing), then crop
/// <c>shave</c> pixels from each border. Values are float64 on a 0–255 scale.
/// </summary>
internal static class MetricInput
{
    /// <summary>Cropped <c>[1,H',W']</c> luma (or grey) planes of SR and HR.</summary>
    public static (Tensor Sr, Tensor Hr) LumaPlanes(Tensor sr, Tensor hr, int shave, bool grey)
    {
        var (s, h) = Quantized(sr, hr, shave);
        return (Luma(s, grey), Luma(h, grey));
    }

    /// <summary>Cropped <c>[3,H',W']</c> RGB of SR and HR.</summary>
    public static (Tensor Sr, Tensor Hr) Quantized(Tensor sr, Tensor hr, int shave)
    {
        sr = RgbImage.CheckImage(sr, nameof(sr));
        hr = RgbImage.CheckImage(hr, nameof(hr));
        if (!sr.shape.SequenceEqual(hr.shape))
            throw new ArgumentException($"sr [{string.Join(",", sr.shape)}] and hr [{string.Join(",", hr.shape)}] differ in shape", nameof(sr));
        long height = sr.shape[1], width = sr.shape[2];
        if (shave < 0 || 2L * shave >= height || 2L * shave >= width)
            throw new ArgumentOutOfRangeException(nameof(shave), $"shave {shave} leaves nothing of a {width}x{height} image");
        if (hr.device != sr.device) hr = hr.to(sr.device);
        return (Crop(RgbImage.Quantize(sr), shave), Crop(RgbImage.Quantize(hr), shave));
    }

    private static Tensor Crop(Tensor x, int shave) =>
        shave == 0 ? x : x[.., shave..^shave, shave..^shave];

    // Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255 with R,G,B in 0..255 (rgb2ycbcr on doubles ×255).
    private static Tensor Luma(Tensor rgb255, bool grey) =>
        grey ? rgb255[..1] : ColorSpace.RgbToY(rgb255.div(255.0)).mul_(255.0);
}
