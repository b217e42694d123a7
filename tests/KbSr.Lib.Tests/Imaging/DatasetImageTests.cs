using KbSr.Data;
using KbSr.Imaging;

namespace KbSr.Tests.Imaging;

/// <summary>The shared HR datasets read as their manifest describes them.</summary>
public class DatasetImageTests
{
    [SkippableFact]
    public void Set14_Img003_IsGrey_AndImg001IsNot()
    {
        string set14 = DataRoot.SetFolder("Set14", TestSetup.RequireDataRoot("Set14"));
        Assert.True(ImageFile.Read(Path.Combine(set14, "img_003.png")).WasGrey);
        Assert.False(ImageFile.Read(Path.Combine(set14, "img_001.png")).WasGrey);
    }

    [SkippableFact]
    public void Set5_ListsFiveImages_AllMultiplesOfFour()
    {
        var files = ImageFile.ListImages(DataRoot.SetFolder("Set5", TestSetup.RequireDataRoot("Set5")));
        Assert.Equal(["img_001.png", "img_002.png", "img_003.png", "img_004.png", "img_005.png"], files.Select(Path.GetFileName));
        foreach (string file in files)
        {
            var image = ImageFile.Read(file);
            Assert.Equal((0, 0), (image.Width % 4, image.Height % 4));
        }
    }

    [SkippableFact]
    public void T91_BmpFile_Reads()
    {
        var image = ImageFile.Read(Path.Combine(DataRoot.SetFolder("T91", TestSetup.RequireDataRoot("T91")), "t1.bmp"));
        Assert.False(image.WasGrey);
        Assert.Equal((197, 176), (image.Width, image.Height));   // as the file's BMP header gives them (24-bit, bottom-up)
    }
}
