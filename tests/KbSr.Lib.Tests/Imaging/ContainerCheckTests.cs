using KbSr.Imaging;
using StbImageWriteSharp;

namespace KbSr.Tests.Imaging;

/// <summary>Damaged image files are refused before decoding, naming the file (Imaging/ContainerCheck.cs): the decoder
/// itself fills in a JPEG cut short, leaves a short BMP's missing rows black and never checks a PNG's CRCs.</summary>
public sealed class ContainerCheckTests : IDisposable
{
    private readonly string _folder = TestImages.TempFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly RgbImage Image = TestImages.Random(48, 40, seed: 8);

    private static byte[] Encode(string format)
    {
        using var s = new MemoryStream();
        var writer = new ImageWriter();
        switch (format)
        {
            case "jpg": writer.WriteJpg(Image.Pixels, Image.Width, Image.Height, ColorComponents.RedGreenBlue, s, 90); break;
            case "bmp": writer.WriteBmp(Image.Pixels, Image.Width, Image.Height, ColorComponents.RedGreenBlue, s); break;
            case "png": s.Write(ImageFile.EncodePng(Image)); break;
            case "tga":   // uncompressed true-colour TGA, written by hand: 18-byte header, BGR rows bottom-up
                var header = new byte[18];
                header[2] = 2;
                BitConverter.GetBytes((ushort)Image.Width).CopyTo(header, 12);
                BitConverter.GetBytes((ushort)Image.Height).CopyTo(header, 14);
                header[16] = 24;
                s.Write(header);
                for (int y = Image.Height - 1; y >= 0; y--)
                    for (int x = 0; x < Image.Width; x++)
                    {
                        int i = (y * Image.Width + x) * 3;
                        s.Write([Image.Pixels[i + 2], Image.Pixels[i + 1], Image.Pixels[i]]);
                    }
                break;
        }
        return s.ToArray();
    }

    [Theory]
    [InlineData("jpg")]
    [InlineData("bmp")]
    [InlineData("png")]
    [InlineData("tga")]
    public void AFileCutToTwoThirds_IsRefusedNamingIt_AndTheWholeFileReads(string format)
    {
        byte[] whole = Encode(format);
        string path = Path.Combine(_folder, "whole." + format);
        File.WriteAllBytes(path, whole);
        var image = ImageFile.Read(path);
        Assert.Equal((Image.Width, Image.Height), (image.Width, image.Height));

        foreach (int length in new[] { whole.Length * 2 / 3, whole.Length - 1 })
        {
            string cut = Path.Combine(_folder, $"cut{length}.{format}");
            File.WriteAllBytes(cut, whole[..length]);
            var e = Assert.Throws<InvalidDataException>(() => ImageFile.Read(cut));
            Assert.Contains(cut, e.Message);
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public void APngWithAByteFlippedInItsPixelData_FailsItsCrc()
    {
        // Stored (uncompressed) deflate blocks: the flipped byte decodes to a wrong pixel without any other sign.
        var rows = new byte[Image.Height * (1 + Image.Width * 3)];
        for (int y = 0; y < Image.Height; y++) Image.Pixels.AsSpan(y * Image.Width * 3, Image.Width * 3).CopyTo(rows.AsSpan(y * (1 + Image.Width * 3) + 1));
        byte[] png = StoredPng(rows);
        string good = Path.Combine(_folder, "stored.png");
        File.WriteAllBytes(good, png);
        Assert.Equal(Image.Pixels, ImageFile.Read(good).Pixels);

        png[png.Length / 2] ^= 0x40;
        string bad = Path.Combine(_folder, "flipped.png");
        File.WriteAllBytes(bad, png);
        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Read(bad));
        Assert.Contains(bad, e.Message);
        Assert.Contains("chunk IDAT", e.Message);
        Assert.Contains("CRC-32", e.Message);
    }

    [Fact]
    public void Crc32_GivesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, ContainerCheck.Crc32("123456789"u8));   // the CRC-32 catalogue's check value
        Assert.Equal(0u, ContainerCheck.Crc32([]));
    }

    /// <summary>A PNG whose zlib stream is one stored block (no compression), with correct CRCs and Adler-32.</summary>
    private static byte[] StoredPng(byte[] rows)
    {
        using var z = new MemoryStream();
        z.Write([0x78, 0x01]);
        z.WriteByte(1);   // final block, stored
        z.Write(BitConverter.GetBytes((ushort)rows.Length));
        z.Write(BitConverter.GetBytes((ushort)~rows.Length));
        z.Write(rows);
        uint a = 1, b = 0;
        foreach (byte x in rows) { a = (a + x) % 65521; b = (b + a) % 65521; }
        z.Write([(byte)(b >> 8), (byte)b, (byte)(a >> 8), (byte)a]);
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)Image.Width);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)Image.Height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", z.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var head = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(head, (uint)data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, 0, 4, head, 4);
        s.Write(head);
        s.Write(data);
        var crc = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, ContainerCheck.Crc32([.. head[4..], .. data]));
        s.Write(crc);
    }
}
