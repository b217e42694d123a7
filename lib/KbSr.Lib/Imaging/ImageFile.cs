using StbImageSharp;
using static TorchSharp.torch;
using ReadComponents = StbImageSharp.ColorComponents;

namespace KbSr.Imaging;

/// <summary>
/// Image files in and out (docs/design.md §3.3): PNG, JPEG, BMP and TGA are read with StbImageSharp;
/// PNG is written by <see cref="PngEncoder"/>. Grey and grey+alpha files become replicated RGB with
/// <see cref="RgbImage.WasGrey"/> set; alpha is dropped. 16-bit PNGs are rejected rather than
/// silently truncated to their high byte (stb's conversion), which would shift every metric.
/// </summary>
public static class ImageFile
{
    /// <summary>File extensions <see cref="ListImages"/> picks up (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".tga"];

    private const string Expected = "expected an 8-bit PNG, JPEG, BMP or TGA image";

    /// <summary>Largest image file read (a 16k × 16k uncompressed BMP is 768 MB; photos are far smaller).</summary>
    public const long MaxFileBytes = 1L << 30;

    public static RgbImage Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
            throw new InvalidDataException($"{path}: is a folder, not an image file; {Expected}");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: image file not found", path);
        return Decode(Runtime.RegularFile.ReadAllBytes(path, MaxFileBytes, "image"), path);
    }

    /// <summary>An image file's bytes decoded as <see cref="Read"/> decodes them; <paramref name="path"/> names the
    /// image in messages and becomes its <see cref="RgbImage.Source"/>.</summary>
    public static RgbImage Decode(byte[] bytes, string path)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0)
            throw new InvalidDataException($"{path}: the file is empty; {Expected}");
        string? format = Sniff(bytes, path);
        if (format is null)
            throw new InvalidDataException($"{path}: the first bytes match no supported format; {Expected}");

        if (ContainerCheck.Problem(bytes, format) is { } problem)
            throw new InvalidDataException($"{path}: corrupt {format}: {problem}; {Expected}");

        ImageInfo? info;
        using (var stream = new MemoryStream(bytes, writable: false))
            info = ImageInfo.FromStream(stream);
        if (info is null)
            throw new InvalidDataException($"{path}: corrupt {format} header; {Expected}");
        if (info.Value.BitsPerChannel != 8)
            throw new InvalidDataException(
                $"{path}: {info.Value.BitsPerChannel}-bit {format}; expected 8 bits per channel (convert it first, e.g. to an 8-bit PNG)");

        ImageResult result;
        try
        {
            result = ImageResult.FromMemory(bytes, ReadComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: corrupt or truncated {format} ({Printable(e.Message)}); {Expected}", e);
        }
        if (result?.Data is null || result.Width <= 0 || result.Height <= 0 ||
            result.Data.LongLength != (long)result.Width * result.Height * 3)
            throw new InvalidDataException($"{path}: the {format} decoder returned no usable pixels; {Expected}");

        bool grey = result.SourceComp is ReadComponents.Grey or ReadComponents.GreyAlpha;
        return new RgbImage(result.Width, result.Height, result.Data, grey, path);
    }

    /// <summary>
    /// Writes a PNG through a temporary file renamed into place. A <see cref="RgbImage.WasGrey"/> image
    /// whose three channels are still equal is written as a one-channel PNG, so it reads back as grey.
    /// </summary>
    public static void WritePng(RgbImage image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.Write(path, stream => EncodePng(image, stream));
    }

    /// <summary>The PNG encoding of <paramref name="image"/> (for reports that embed images).</summary>
    public static byte[] EncodePng(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var memory = new MemoryStream();
        EncodePng(image, memory);
        return memory.ToArray();
    }

    private static void EncodePng(RgbImage image, Stream stream)
    {
        byte[]? grey = image.WasGrey ? GreyPlane(image.Pixels) : null;
        if (grey is not null) PngEncoder.Write(stream, grey, image.Width, image.Height, 1);
        else PngEncoder.Write(stream, image.Pixels, image.Width, image.Height, 3);
    }

    /// <summary>Writes a <c>[3,H,W]</c> or <c>[1,3,H,W]</c> tensor in [0,1], quantised as <see cref="RgbImage.FromTensor"/>.</summary>
    public static void WritePng(Tensor image, string path) => WritePng(RgbImage.FromTensor(image), path);

    /// <summary>The image files directly inside <paramref name="folder"/>, full paths sorted ordinally.</summary>
    public static IReadOnlyList<string> ListImages(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"image folder not found: {folder}");
        var files = Directory.EnumerateFiles(folder)
            .Where(IsImage)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
            throw new InvalidDataException($"{folder}: holds no image files ({string.Join(", ", Extensions)})");
        return files;
    }

    // Decoder messages can carry raw bytes (NULs from a truncated chunk): keep what a terminal can show.
    private static string Printable(string message)
    {
        string clean = new(message.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        clean = System.Text.RegularExpressions.Regex.Replace(clean, " {2,}", " ").Trim();
        return clean.Length == 0 ? "no details" : clean;
    }

    /// <summary>Whether <paramref name="path"/> has one of the <see cref="Extensions"/> (any case).</summary>
    public static bool IsImage(string path) =>
        Extensions.Contains(Path.GetExtension(path).ToLowerInvariant()) && !Path.GetFileName(path).StartsWith('.');

    // The container by its magic number; TGA has none, so it is trusted by extension only.
    private static string? Sniff(byte[] b, string path)
    {
        if (b.Length >= 8 && b[0] == 0x89 && b[1] == (byte)'P' && b[2] == (byte)'N' && b[3] == (byte)'G' &&
            b[4] == 0x0D && b[5] == 0x0A && b[6] == 0x1A && b[7] == 0x0A) return "PNG";
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "JPEG";
        if (b.Length >= 2 && b[0] == (byte)'B' && b[1] == (byte)'M') return "BMP";
        if (Path.GetExtension(path).Equals(".tga", StringComparison.OrdinalIgnoreCase)) return "TGA";
        return null;
    }

    private static byte[]? GreyPlane(byte[] rgb)
    {
        var grey = new byte[rgb.Length / 3];
        for (int i = 0, j = 0; i < grey.Length; i++, j += 3)
        {
            if (rgb[j] != rgb[j + 1] || rgb[j] != rgb[j + 2]) return null;
            grey[i] = rgb[j];
        }
        return grey;
    }
}
