using KbSr.Imaging;
using StbImageWriteSharp;

namespace KbSr.Tests.Imaging;

public sealed class ImageFileTests : IDisposable
{
    private readonly string _folder = TestImages.TempFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private string WriteRaw(string name, byte[] bytes)
    {
        File.WriteAllBytes(PathOf(name), bytes);
        return PathOf(name);
    }

    private string WriteStb(string name, byte[] data, int w, int h, ColorComponents components)
    {
        using var s = File.Create(PathOf(name));
        new ImageWriter().WritePng(data, w, h, components, s);
        return PathOf(name);
    }

    [Fact]
    public void WritePngThenRead_RoundTripsByteExact_AndLeavesNoTemporaryFile()
    {
        var image = TestImages.Random(31, 17, seed: 4);
        string path = PathOf("sub/x.png");
        ImageFile.WritePng(image, path);
        var back = ImageFile.Read(path);
        Assert.Equal((31, 17, false), (back.Width, back.Height, back.WasGrey));
        Assert.Equal(image.Pixels, back.Pixels);
        Assert.Equal(path, back.Source);
        Assert.Equal(["x.png"], Directory.GetFiles(PathOf("sub")).Select(Path.GetFileName));
    }

    [Fact]
    public void WritePng_OfTensor_RoundTripsThroughToTensor()
    {
        var image = TestImages.Random(8, 6, seed: 5);
        using var t = image.ToTensor().unsqueeze(0);
        ImageFile.WritePng(t, PathOf("t.png"));
        Assert.Equal(image.Pixels, ImageFile.Read(PathOf("t.png")).Pixels);
    }

    [Fact]
    public void Read_OfGreyPng_ReplicatesChannels_AndSetsWasGrey()
    {
        byte[] grey = [0, 50, 100, 150, 200, 255];
        var image = ImageFile.Read(WriteStb("g.png", grey, 3, 2, ColorComponents.Grey));
        Assert.True(image.WasGrey);
        Assert.Equal(grey.SelectMany(v => new[] { v, v, v }).ToArray(), image.Pixels);
    }

    [Fact]
    public void Read_OfGreyAlphaPng_ReplicatesGreyAndDropsAlpha()
    {
        byte[] greyAlpha = [10, 0, 20, 255];
        var image = ImageFile.Read(WriteStb("ga.png", greyAlpha, 2, 1, ColorComponents.GreyAlpha));
        Assert.True(image.WasGrey);
        Assert.Equal(new byte[] { 10, 10, 10, 20, 20, 20 }, image.Pixels);
    }

    [Fact]
    public void Read_OfRgbaPng_DropsAlphaUnpremultiplied()
    {
        byte[] rgba = [1, 2, 3, 0, 200, 100, 50, 128];
        var image = ImageFile.Read(WriteStb("rgba.png", rgba, 2, 1, ColorComponents.RedGreenBlueAlpha));
        Assert.False(image.WasGrey);
        Assert.Equal(new byte[] { 1, 2, 3, 200, 100, 50 }, image.Pixels);
    }

    [Fact]
    public void WritePng_OfGreyImage_ReadsBackGrey()
    {
        var image = TestImages.Random(6, 5, seed: 6, grey: true);
        ImageFile.WritePng(image, PathOf("g.png"));
        var back = ImageFile.Read(PathOf("g.png"));
        Assert.True(back.WasGrey);
        Assert.Equal(image.Pixels, back.Pixels);
    }

    [Fact]
    public void Read_OfSixteenBitPng_IsRejectedNamingTheDepth()
    {
        // 2x1 grey, 16 bits: one filter byte, then two big-endian samples.
        byte[] png = TestImages.HandmadePng(2, 1, bitDepth: 16, colourType: 0, [0, 0x12, 0x34, 0xAB, 0xCD]);
        string path = WriteRaw("deep.png", png);
        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("16-bit", e.Message);
    }

    [Fact]
    public void Read_OfHandmadeEightBitPng_DecodesIt()
    {
        // Guards the encoder used by the 16-bit test: the same writer at 8 bits must decode.
        byte[] png = TestImages.HandmadePng(2, 1, bitDepth: 8, colourType: 2, [0, 1, 2, 3, 4, 5, 6]);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, ImageFile.Read(WriteRaw("h.png", png)).Pixels);
    }

    [Fact]
    public void Read_OfEmptyFile_ThrowsInvalidDataNamingTheFile()
    {
        string path = WriteRaw("empty.png", []);
        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Read_OfTextFileNamedPng_ThrowsInvalidDataNamingTheFile()
    {
        string path = WriteRaw("notes.png", "hello, this is not an image\n"u8.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("PNG", e.Message);
    }

    [Fact]
    public void Read_OfTruncatedPng_ThrowsInvalidDataNamingTheFile()
    {
        ImageFile.WritePng(TestImages.Random(40, 30, seed: 7), PathOf("full.png"));
        byte[] bytes = File.ReadAllBytes(PathOf("full.png"));
        string path = WriteRaw("cut.png", bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Read_OfCorruptPng_ThrowsInvalidDataNamingTheFile()
    {
        ImageFile.WritePng(TestImages.Random(40, 30, seed: 8), PathOf("full.png"));
        byte[] bytes = File.ReadAllBytes(PathOf("full.png"));
        // Keep the signature and IHDR; overwrite the start of the IDAT chunk's zlib stream.
        for (int i = 41; i < 60; i++) bytes[i] = 0xFF;
        string path = WriteRaw("bad.png", bytes);
        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Read_OfMissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => ImageFile.Read(PathOf("nope.png")));
    }

    [Fact]
    public void ListImages_IsOrdinallySortedAndSkipsOtherFiles()
    {
        foreach (string name in new[] { "b.png", "a10.bmp", "a2.JPG", "notes.txt", ".hidden.png" })
            File.WriteAllBytes(PathOf(name), [0]);
        Assert.Equal(["a10.bmp", "a2.JPG", "b.png"], ImageFile.ListImages(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void ListImages_OfMissingOrEmptyFolder_ThrowsNamingIt()
    {
        string missing = PathOf("missing");
        Assert.Contains(missing, Assert.Throws<DirectoryNotFoundException>(() => ImageFile.ListImages(missing)).Message);
        Directory.CreateDirectory(PathOf("empty"));
        Assert.Contains("empty", Assert.Throws<InvalidDataException>(() => ImageFile.ListImages(PathOf("empty"))).Message);
    }
}
