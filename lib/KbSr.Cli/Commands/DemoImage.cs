using KbSr.Data;
using KbSr.Imaging;

namespace KbSr.Cli.Commands;

/// <summary>
/// The demo's HR image, always a real one: <c>--image</c>; else Set5's butterfly from the data root; else, with
/// <c>--download</c>, Set5 fetched into the data root first; else the photograph the toolkit ships
/// (<see cref="SamplePhoto"/>), which needs neither datasets nor a network.
/// </summary>
public static class DemoImage
{
    /// <summary>Where the sample photograph is chosen: how to get Set5's butterfly instead (one line, shown in the report).</summary>
    public const string HowToGetSet5 =
        "with Set5 in the data root (`kbsr data get Set5`, or KBSR_DATA pointing at a folder holding Set5/) the demo uses its butterfly";

    /// <summary>What was chosen: the image, where it came from, and a note for the user (null when none is needed).</summary>
    public sealed record Choice(RgbImage Image, string Source, bool IsSamplePhoto, string? Note);

    /// <param name="imagePath">--image, wins when given.</param>
    /// <param name="dataRoot">--data or null (then KBSR_DATA, then the repository's data/datasets).</param>
    /// <param name="download">Fetch Set5 when it is missing; null = never (the default).</param>
    public static Choice Choose(string? imagePath, string? dataRoot, Func<string, Task>? download = null)
    {
        if (imagePath is not null) return new(ImageFile.Read(imagePath), imagePath, false, null);
        if (TryButterfly(dataRoot, out var found, out string why)) return found!;
        if (download is not null)
        {
            string root;
            try { root = DataRoot.ResolveForWriting(dataRoot); }
            catch (DirectoryNotFoundException e) { return Photo($"note: --download: {e.Message}"); }
            Console.WriteLine($"Set5 not found ({why}); downloading it into {root} …");
            try
            {
                download(root).GetAwaiter().GetResult();
                if (TryButterfly(root, out found, out why)) return found!;
                return Photo($"note: Set5 was downloaded but is not usable ({why}); using the sample photograph.");
            }
            catch (Exception e) when (e is IOException or HttpRequestException or InvalidOperationException or UnauthorizedAccessException or TaskCanceledException)
            {
                return Photo($"note: could not download Set5 ({e.Message}); using the sample photograph.");
            }
        }
        return Photo(null);
    }

    private static bool TryButterfly(string? dataRoot, out Choice? choice, out string why)
    {
        choice = null;
        try
        {
            // Set5's third image is the butterfly, whatever the files are called (img_003.png, img_003_SRF_4_HR.png, …).
            var set5 = ImageFile.ListImages(DataRoot.SetFolder("Set5", dataRoot));
            if (set5.Count != 5) { why = $"Set5 has {set5.Count} images, expected 5"; return false; }
            choice = new(ImageFile.Read(set5[2]), $"Set5 {Path.GetFileNameWithoutExtension(set5[2])} (butterfly)", false, null);
            why = "";
            return true;
        }
        catch (Exception e) when (e is DirectoryNotFoundException or InvalidOperationException or IOException or InvalidDataException)
        {
            why = e.Message;
            return false;
        }
    }

    private static Choice Photo(string? note) => new(SamplePhoto.Load(), SamplePhoto.Description, true, note);
}
