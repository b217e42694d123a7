using System.IO.Compression;
using System.Text;
using KbSr.Imaging;

namespace KbSr.Tests.Imaging;

/// <summary>Images generated for tests (no dataset file is ever committed) and a tiny PNG encoder for odd formats.</summary>
internal static class TestImages
{
    public static RgbImage Random(int width, int height, int seed, bool grey = false)
    {
        var rng = new Random(seed);
        var pixels = new byte[width * height * 3];
        rng.NextBytes(pixels);
        if (grey)
            for (int i = 0; i < pixels.Length; i += 3) pixels[i + 1] = pixels[i + 2] = pixels[i];
        return new RgbImage(width, height, pixels, grey);
    }

    public static RgbImage Constant(int width, int height, byte r, byte g, byte b)
    {
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i += 3) { pixels[i] = r; pixels[i + 1] = g; pixels[i + 2] = b; }
        return new RgbImage(width, height, pixels);
    }

    public static string TempFolder() => Directory.CreateTempSubdirectory("kbsr-test-").FullName;

    /// <summary>A minimal PNG (filter 0 on every row, one IDAT) with any bit depth / colour type, written by hand.</summary>
    public static byte[] HandmadePng(int width, int height, int bitDepth, int colourType, byte[] rawRows)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        WriteBigEndian(ihdr, 0, (uint)width);
        WriteBigEndian(ihdr, 4, (uint)height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colourType;
        Chunk(png, "IHDR", ihdr);
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            z.Write(rawRows);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var header = new byte[8];
        WriteBigEndian(header, 0, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, 0, 4, header, 4);
        s.Write(header);
        s.Write(data);
        var crc = new byte[4];
        WriteBigEndian(crc, 0, Crc32([.. header[4..], .. data]));
        s.Write(crc);
    }

    private static void WriteBigEndian(byte[] b, int at, uint v)
    {
        b[at] = (byte)(v >> 24); b[at + 1] = (byte)(v >> 16); b[at + 2] = (byte)(v >> 8); b[at + 3] = (byte)v;
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
