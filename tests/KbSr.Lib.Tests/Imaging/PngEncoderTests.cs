using System.Buffers.Binary;
using System.Text;
using KbSr.Imaging;

namespace KbSr.Tests.Imaging;

/// <summary>
/// <see cref="PngEncoder"/> writes files that an independent decoder (StbImageSharp, through <see cref="ImageFile"/>)
/// reads back byte for byte, with the chunk layout and CRCs of the PNG specification.
/// </summary>
public sealed class PngEncoderTests : IDisposable
{
    private readonly string _folder = TestImages.TempFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Crc32_OfTheStandardCheckString_IsCbf43926() =>
        Assert.Equal(0xCBF43926u, Crc32.Of(Encoding.ASCII.GetBytes("123456789")));   // the CRC-32 catalogue's check value

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(31, 17, false)]
    [InlineData(17, 31, true)]
    [InlineData(640, 3, false)]
    public void Encoded_IsReadBackByteExact_ByAnIndependentDecoder(int width, int height, bool grey)
    {
        var image = TestImages.Random(width, height, seed: width + height, grey: grey);
        string path = Path.Combine(_folder, "x.png");
        ImageFile.WritePng(image, path);
        var back = ImageFile.Read(path);
        Assert.Equal((width, height, grey), (back.Width, back.Height, back.WasGrey));
        Assert.Equal(image.Pixels, back.Pixels);
    }

    [Fact]
    public void Layout_SignatureHeaderAndEnd_AsTheSpecificationWritesThem()
    {
        using var stream = new MemoryStream();
        PngEncoder.Write(stream, new byte[5 * 3 * 2], 5, 2, 3);
        byte[] png = stream.ToArray();
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        // IHDR: length 13, "IHDR", width 5, height 2, depth 8, colour type 2, then 0, 0, 0, and its CRC
        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(8)));
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal((5, 2), (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));
        Assert.Equal(new byte[] { 8, 2, 0, 0, 0 }, png[24..29]);
        Assert.Equal(Crc32.Of(png.AsSpan(12, 17)), BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(29)));
        // Every PNG ends with the same 12 bytes: an empty IEND chunk and its CRC AE 42 60 82.
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82 }, png[^12..]);
    }

    [Fact]
    public void WrongSizes_AreRefused_NamingWhatWasExpected()
    {
        using var stream = new MemoryStream();
        Assert.Contains("expected 30", Assert.Throws<ArgumentException>(() => PngEncoder.Write(stream, new byte[29], 5, 2, 3)).Message);
        Assert.Contains("expected 1 (grey) or 3 (RGB)", Assert.Throws<ArgumentException>(() => PngEncoder.Write(stream, new byte[20], 5, 2, 2)).Message);
        Assert.Contains("must be ≥ 1", Assert.Throws<ArgumentException>(() => PngEncoder.Write(stream, [], 0, 2, 3)).Message);
    }
}
