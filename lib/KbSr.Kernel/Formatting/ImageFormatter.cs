using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace KbSr.Kernel.Formatting;

/// <summary>
/// Images → <c>image/png</c>: the library's 8-bit RGB image type (any object with <c>int Width</c>,
/// <c>int Height</c> and interleaved RGB <c>byte[] Pixels</c>, found by shape so the kernel does not pin
/// one library version), and float tensors shaped as images: <c>[C,H,W]</c> or <c>[1,C,H,W]</c>, C ∈ {1,3},
/// values in [0,1], both sides at least <see cref="MinTensorImageSide"/> (smaller tensors print as numbers).
/// </summary>
public static class ImageFormatter
{
    public const int MinTensorImageSide = 8;

    internal static void Register()
    {
        Formatter.Register<object>(o => TryRgbImage(o));
        Formatter.Register<Tensor>(FormatTensor);
    }

    public static IDictionary<string, JsonNode>? TryRgbImage(object value)
    {
        var t = value.GetType();
        if (t.GetProperty("Width")?.GetValue(value) is not int w || t.GetProperty("Height")?.GetValue(value) is not int h
            || t.GetProperty("Pixels")?.GetValue(value) is not byte[] pixels || pixels.LongLength != (long)w * h * 3)
            return null;
        return Bundle(EncodePng(pixels, w, h, 3), $"{t.Name} {w}x{h}");
    }

    public static IDictionary<string, JsonNode>? FormatTensor(Tensor tensor)
    {
        if (!IsImageShaped(tensor)) return null;
        using var scope = NewDisposeScope();
        var chw = tensor.dim() == 4 ? tensor[0] : tensor;
        int c = (int)chw.shape[0], h = (int)chw.shape[1], w = (int)chw.shape[2];
        var bytes = chw.detach().cpu().to_type(float32).clamp(0f, 1f).mul(255f).add(0.5f).floor()
            .to_type(uint8).permute(1, 2, 0).contiguous();
        var data = bytes.data<byte>().ToArray();
        return Bundle(EncodePng(data, w, h, c), $"tensor image [{string.Join(",", tensor.shape)}] {tensor.dtype}");
    }

    public static bool IsImageShaped(Tensor t)
    {
        if (!t.is_floating_point()) return false;
        var s = t.shape;
        if (s.Length == 4 && s[0] == 1) s = s[1..];
        return s.Length == 3 && (s[0] == 1 || s[0] == 3) && s[1] >= MinTensorImageSide && s[2] >= MinTensorImageSide;
    }

    public static byte[] EncodePng(byte[] pixels, int width, int height, int channels)
    {
        using var stream = new MemoryStream();
        KbSr.Imaging.PngEncoder.Write(stream, pixels, width, height, channels);
        return stream.ToArray();
    }

    private static Dictionary<string, JsonNode> Bundle(byte[] png, string text) => new()
    {
        ["image/png"] = Convert.ToBase64String(png),
        ["text/plain"] = text,
    };
}
