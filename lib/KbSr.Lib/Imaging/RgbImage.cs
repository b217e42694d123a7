using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Imaging;

/// <summary>
/// An 8-bit RGB image as read from disk (docs/design.md §2, the "HR image file" box). Grey files are held
/// as replicated RGB, because the network always sees three channels; <see cref="WasGrey"/> remembers
/// the fact, because the metric treats such images differently (docs/method.md §8.2).
/// </summary>
public sealed class RgbImage
{
    public int Width { get; }
    public int Height { get; }
    public bool WasGrey { get; }
    public string? Source { get; }

    /// <summary>Interleaved RGB, row-major, length <c>Width*Height*3</c>.</summary>
    public byte[] Pixels { get; }

    public RgbImage(int width, int height, byte[] pixels, bool wasGrey = false, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height}: expected positive width and height");
        if (pixels.LongLength != (long)width * height * 3)
            throw new ArgumentException($"pixel buffer has {pixels.LongLength} bytes; expected {width}x{height}x3 = {(long)width * height * 3}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
        WasGrey = wasGrey;
        Source = source;
    }

    /// <summary>The image as a float32 tensor <c>[3,H,W]</c> in [0,1] (value / 255) on <paramref name="device"/>.</summary>
    public Tensor ToTensor(Device? device = null)
    {
        using var scope = NewDisposeScope();
        var hwc = tensor(Pixels, [Height, Width, 3], dtype: uint8);
        var chw = hwc.permute(2, 0, 1).to_type(float32).div_(255f);
        if (device is not null && device.type != DeviceType.CPU) chw = chw.to(device);
        return chw.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Quantises a <c>[3,H,W]</c> or <c>[1,3,H,W]</c> tensor in [0,1] to 8 bits the way MATLAB's
    /// <c>im2uint8</c> does: clamp to [0,1], multiply by 255 (in float64) and round half away from
    /// zero — not torch's round-half-to-even; for the non-negative values here that is floor(x + 0.5).
    /// </summary>
    public static RgbImage FromTensor(Tensor image, bool wasGrey = false)
    {
        using var scope = NewDisposeScope();
        var bytes = Quantize(CheckImage(image, nameof(image)))
            .to_type(uint8).permute(1, 2, 0).contiguous().cpu();
        return new RgbImage((int)bytes.shape[1], (int)bytes.shape[0], bytes.data<byte>().ToArray(), wasGrey);
    }

    /// <summary>Crops the right and bottom edges so that both sides are multiples of <paramref name="scale"/> (docs/method.md §6).</summary>
    public RgbImage ModCrop(int scale)
    {
        if (scale <= 0) throw new ArgumentOutOfRangeException(nameof(scale), $"scale {scale}: expected a positive integer");
        int width = Width - Width % scale, height = Height - Height % scale;
        if (width == 0 || height == 0)
            throw new ArgumentException($"{Source ?? "image"}: {Width}x{Height} is smaller than the scale {scale}", nameof(scale));
        return width == Width && height == Height ? this : Crop(0, 0, width, height);
    }

    /// <summary>The rectangle whose top-left corner is (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public RgbImage Crop(int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > Width || y + height > Height)
            throw new ArgumentOutOfRangeException(nameof(width),
                $"crop ({x},{y}) {width}x{height} does not fit inside the {Width}x{Height} image {Source}");
        var pixels = new byte[width * height * 3];
        for (int row = 0; row < height; row++)
            Buffer.BlockCopy(Pixels, ((y + row) * Width + x) * 3, pixels, row * width * 3, width * 3);
        return new RgbImage(width, height, pixels, WasGrey, Source);
    }

    /// <summary>Clamp to [0,1], scale to [0,255] in float64, round half away from zero (im2uint8).</summary>
    internal static Tensor Quantize(Tensor image) =>
        image.to_type(float64).clamp(0.0, 1.0).mul(255.0).add_(0.5).floor_();

    /// <summary>Accepts <c>[3,H,W]</c> or <c>[1,3,H,W]</c>; returns the <c>[3,H,W]</c> view.</summary>
    internal static Tensor CheckImage(Tensor image, string name)
    {
        ArgumentNullException.ThrowIfNull(image, name);
        var shape = image.shape;
        if (shape.Length == 4 && shape[0] == 1) image = image.squeeze(0);
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException($"{name}: shape [{string.Join(",", shape)}]; expected [3,H,W] or [1,3,H,W]", name);
        return image;
    }
}
