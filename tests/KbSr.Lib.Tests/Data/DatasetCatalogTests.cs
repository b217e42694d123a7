using KbSr.Data;
using KbSr.Imaging;
using KbSr.Tests.Imaging;

namespace KbSr.Tests.Data;

public class DatasetCatalogTests
{
    private static string RepoCatalog => Path.Combine(TestSetup.RepoRoot, "data", "catalog.json");

    [Fact]
    public void Load_Embedded_ListsTheEightDatasetsLikeTheRepositoryFile()
    {
        var embedded = DatasetCatalog.Load();
        Assert.Equal(["Set5", "Set14", "BSDS100", "Urban100", "T91", "BSDS200", "DIV2K", "Flickr2K"], embedded.Select(d => d.Name));
        Assert.Equal(DatasetCatalog.Load(RepoCatalog), embedded);
    }

    [Fact]
    public void Load_Counts_AreTheStandardSizes()
    {
        int[] expected = [5, 14, 100, 100, 91, 200, 800, 2650];
        Assert.Equal(expected, DatasetCatalog.Load().Select(d => d.Files));
    }

    [SkippableFact]
    public void Counts_MatchTheLocalCopies()
    {
        string root = TestSetup.RequireDataRoot("Set5");
        foreach (var info in DatasetCatalog.Load())
        {
            string folder = Path.Combine(root, info.Name);
            if (Directory.Exists(folder))
                Assert.True(ImageFile.ListImages(folder).Count == info.Files, $"{info.Name}: catalogue says {info.Files}");
        }
    }

    [Fact]
    public void Find_IsCaseInsensitive_AndListsKnownNamesWhenMissing()
    {
        Assert.Equal("DIV2K", DatasetCatalog.Find("div2k").Name);
        var e = Assert.Throws<KeyNotFoundException>(() => DatasetCatalog.Find("Manga109"));
        Assert.Contains("Manga109", e.Message);
        Assert.Contains("Set5, Set14", e.Message);
    }

    [Fact]
    public void Load_OfMalformedCatalogue_ThrowsNamingTheFile()
    {
        string folder = TestImages.TempFolder();
        try
        {
            string path = Path.Combine(folder, "catalog.json");
            File.WriteAllText(path, "{ \"datasets\": [ { \"name\": \"X\", \"files\": 0, \"description\": \"\" } ] }");
            Assert.Contains(path, Assert.Throws<InvalidDataException>(() => DatasetCatalog.Load(path)).Message);
            File.WriteAllText(path, "{ \"datasets\": [ { \"name\": \"X\", \"files\": 3, \"description\": \"d\", \"sha256\": \"abc\" } ] }");
            Assert.Contains("sha256", Assert.Throws<InvalidDataException>(() => DatasetCatalog.Load(path)).Message);
            File.WriteAllText(path, "{ \"datasets\": [ { \"name\": \"X\", \"files\": 3, \"descripton\": \"typo\" } ] }");
            Assert.Contains(path, Assert.Throws<InvalidDataException>(() => DatasetCatalog.Load(path)).Message);
            File.WriteAllText(path, "not json");
            Assert.Contains(path, Assert.Throws<InvalidDataException>(() => DatasetCatalog.Load(path)).Message);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
