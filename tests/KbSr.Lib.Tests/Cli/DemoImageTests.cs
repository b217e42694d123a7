using KbSr.Cli.Commands;
using KbSr.Imaging;

namespace KbSr.Tests.Cli;

/// <summary>The demo's choice of image: Set5's butterfly when a data root has Set5 (or it can be downloaded), else the
/// photograph the toolkit ships — a real image with no datasets and no network.</summary>
public class DemoImageTests
{
    [Fact]
    public void WithSet5InTheDataRoot_UsesTheButterfly_WithoutANote()
    {
        // A Set5-shaped folder of five crops of different sizes: the third (80 × 80) is the one chosen.
        string root = SampleData.MakeFiveImageSet(NewDir(), "Set5");
        try
        {
            var choice = DemoImage.Choose(null, root);
            Assert.False(choice.IsSamplePhoto);
            Assert.Contains("butterfly", choice.Source);
            Assert.Contains("img_003", choice.Source);
            Assert.Null(choice.Note);
            Assert.Equal((80, 80), (choice.Image.Width, choice.Image.Height));
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void WithoutSet5_UsesTheShippedPhotograph_WithoutANote()
    {
        string empty = NewDir();
        try
        {
            var choice = DemoImage.Choose(null, empty);
            Assert.True(choice.IsSamplePhoto);
            Assert.Equal(SamplePhoto.Description, choice.Source);
            Assert.Null(choice.Note);
            Assert.Equal((451, 300), (choice.Image.Width, choice.Image.Height));
        }
        finally { Directory.Delete(empty, true); }
    }

    [Fact]
    public void WithDownload_FetchesSet5IntoTheDataRoot_ThenUsesIt()
    {
        string root = NewDir();
        try
        {
            string? downloadedInto = null;
            var choice = DemoImage.Choose(null, root, async into =>
            {
                downloadedInto = into;
                // Stands in for the network: put a five-image Set5 where the downloader would put it.
                SampleData.MakeFiveImageSet(into, "Set5");
                await Task.CompletedTask;
            });
            Assert.Equal(Path.GetFullPath(root), Path.GetFullPath(downloadedInto!));
            Assert.False(choice.IsSamplePhoto);
            Assert.Contains("butterfly", choice.Source);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void WithDownload_Offline_FallsBackToThePhotograph_NamingTheFailure()
    {
        string root = NewDir();
        try
        {
            var choice = DemoImage.Choose(null, root, _ => throw new HttpRequestException("name resolution failed"));
            Assert.True(choice.IsSamplePhoto);
            Assert.Contains("could not download Set5", choice.Note);
            Assert.Contains("name resolution failed", choice.Note);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void AnExplicitImage_Wins()
    {
        string root = SampleData.MakeFiveImageSet(NewDir(), "Set5");
        try
        {
            string image = Path.Combine(root, "Set5", "img_005.png");
            var choice = DemoImage.Choose(image, root);   // Set5 is there too: the explicit image still wins
            Assert.Equal(image, choice.Source);
            Assert.Equal((96, 96), (choice.Image.Width, choice.Image.Height));
            Assert.Null(choice.Note);
        }
        finally { Directory.Delete(root, true); }
    }

    private static string NewDirNoCreate() => Path.Combine(Path.GetTempPath(), $"kbsr-demo-{Guid.NewGuid():N}");

    private static string NewDir()
    {
        string dir = NewDirNoCreate();
        Directory.CreateDirectory(dir);
        return dir;
    }
}
