using KbSr.Data;
using KbSr.Imaging;

namespace KbSr.Cli.Commands;

/// <summary>
/// The demo's HR image, real when it can be: <c>--image</c>; else Set5's butterfly from the data root; else, with
/// <c>--download</c>, Set5 fetched into the data root first; else the procedural test chart, with one line saying
/// how to get real images.
/// </summary>
public static class DemoImage
{
    /// <summary>The line printed when the demo falls back to the test chart.</summary>
    public const string HowToGetRealImages =
        "note: no Set5 in the data root, so the demo uses the procedural test chart; for a real image run " +
        "`kbsr data get Set5` (or `kbsr demo --download`), or point KBSR_DATA at a folder holding Set5/.";

    /// <summary>What was chosen: the image, where it came from, and a note for the user (null when none is needed).</summary>
    public sealed record Choice(RgbImage Image, string Source, bool IsReal, string? Note);

    /// <param name="imagePath">--image, wins when given.</param>
    /// <param name="dataRoot">--data or null (then KBSR_DATA, then the repository's data/datasets).</param>
    /// <param name="download">Fetch Set5 when it is missing; null = never (the default).</param>
    public static Choice Choose(string? imagePath, string? dataRoot, Func<string, Task>? download = null)
    {
        if (imagePath is not null) return new(ImageFile.Read(imagePath), imagePath, true, null);
        if (TryButterfly(dataRoot, out var found, out string why)) return found!;
        if (download is not null)
        {
            string root;
            try { root = DataRoot.ResolveForWriting(dataRoot); }
            catch (DirectoryNotFoundException e) { return Chart($"note: --download: {e.Message}"); }
            Console.WriteLine($"Set5 not found ({why}); downloading it into {root} …");
            try
            {
                download(root).GetAwaiter().GetResult();
                if (TryButterfly(root, out found, out why)) return found!;
                return Chart($"note: Set5 was downloaded but is not usable ({why}); using the procedural test chart.");
            }
            catch (Exception e) when (e is IOException or HttpRequestException or InvalidOperationException or UnauthorizedAccessException or TaskCanceledException)
            {
                return Chart($"note: could not download Set5 ({e.Message}); using the procedural test chart.");
            }
        }
        return Chart(HowToGetRealImages);
    }

    private static bool TryButterfly(string? dataRoot, out Choice? choice, out string why)
    {
        choice = null;
        try
        {
            // Set5's third image is the butterfly, whatever the files are called (img_003.png, img_003_SRF_4_HR.png, …).
            var set5 = ImageFile.ListImages(DataRoot.SetFolder("Set5", dataRoot));
            if (set5.Count != 5) { why = $"Set5 has {set5.Count} images, expected 5"; return false; }
            choice = new(ImageFile.Read(set5[2]), $"Set5 {Path.GetFileNameWithoutExtension(set5[2])} (butterfly)", true, null);
            why = "";
            return true;
        }
        catch (Exception e) when (e is DirectoryNotFoundException or InvalidOperationException or IOException or InvalidDataException)
        {
            why = e.Message;
            return false;
        }
    }

    private static Choice Chart(string note)
    {
        using var chart = TestChart.Make(256);
        return new(RgbImage.FromTensor(chart), "the project's procedural test chart (no real image found)", false, note);
    }
}
