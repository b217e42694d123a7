using System.Formats.Tar;
using System.IO.Compression;
using System.IO.Enumeration;
using System.Security.Cryptography;
using KbSr.Imaging;

namespace KbSr.Data;

/// <summary>
/// Fetches a catalogue dataset into <c>&lt;root&gt;/&lt;Name&gt;</c> (design.md §3.4): download into a
/// hidden working folder inside the root, check the archive's SHA-256 when the catalogue knows it,
/// extract (zip, tar, tar.gz), pick the image folder, check the file count, then move the folder
/// into place in one rename. On any failure the working folder is removed: nothing half-written stays.
/// </summary>
public static class DatasetDownloader
{
    private const int BufferSize = 1 << 16;

    public static async Task GetAsync(DatasetInfo info, string root, HttpClient? http = null,
                                      IProgress<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (string.IsNullOrWhiteSpace(info.Url))
            throw new InvalidOperationException(
                $"no download link is known for {info.Name}" + (info.Homepage is null ? "" : $" (see {info.Homepage})") +
                "; download it yourself and pass the archive's address with --url, or place the images in " +
                Path.Combine(Path.GetFullPath(root), info.Name));

        root = Path.GetFullPath(root);
        string target = Path.Combine(root, info.Name);
        if (Directory.Exists(target) || File.Exists(target))
            throw new IOException($"{target} already exists; check it with `kbsr data verify {info.Name}` or delete it to download again");
        Directory.CreateDirectory(root);

        string work = Path.Combine(root, $".download-{info.Name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string archive = Path.Combine(work, ArchiveName(info));
            progress?.Report($"downloading {info.Name} from {info.Url}");
            string sha = await DownloadAsync(info.Url, archive, http, progress, ct).ConfigureAwait(false);
            if (info.Sha256 is { } expected)
            {
                if (!string.Equals(sha, expected, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException(
                        $"{info.Name}: the archive from {info.Url} has SHA-256 {sha}, expected {expected}; nothing was kept");
                progress?.Report("SHA-256 ok");
            }
            else
            {
                progress?.Report($"SHA-256 {sha} (the catalogue has no checksum to compare with)");
            }

            string extracted = Path.Combine(work, "extracted");
            progress?.Report("extracting");
            await ExtractAsync(archive, extracted, ct).ConfigureAwait(false);
            string staged = Stage(info, extracted, Path.Combine(work, "staged"));
            int count = Directory.EnumerateFiles(staged).Count(ImageFile.IsImage);
            if (count != info.Files)
                throw new InvalidDataException(
                    $"{info.Name}: the archive holds {count} images in {Path.GetRelativePath(extracted, staged)}, " +
                    $"expected {info.Files}; nothing was kept");
            Directory.Move(staged, target);
            progress?.Report($"{info.Name}: {count} images in {target}");
        }
        finally
        {
            TryDelete(work);
        }
    }

    // Streams the body to disk while hashing it; also accepts a local path or file:// address.
    private static async Task<string> DownloadAsync(string url, string file, HttpClient? http,
                                                    IProgress<string>? progress, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Stream source;
        long? length;
        HttpResponseMessage? response = null;
        HttpClient? owned = null;
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            if (http is null) http = owned = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            length = response.Content.Headers.ContentLength;
            source = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        }
        else
        {
            string local = uri is { IsFile: true } ? uri.LocalPath : url;
            if (!File.Exists(local)) throw new FileNotFoundException($"{url}: neither an http(s) address nor an existing file", local);
            source = File.OpenRead(local);
            length = source.Length;
        }

        try
        {
            await using var sink = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
            var buffer = new byte[BufferSize];
            long total = 0, nextReport = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await sink.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                total += read;
                if (progress is not null && total >= nextReport)
                {
                    progress.Report(length is > 0 ? $"{total / 1e6:F1} / {length.Value / 1e6:F1} MB" : $"{total / 1e6:F1} MB");
                    nextReport = total + Math.Max(BufferSize, (length ?? 0) / 20);
                }
            }
            if (length is { } expected && total != expected)
                throw new IOException($"{url}: received {total} bytes, the server announced {expected}");
        }
        finally
        {
            await source.DisposeAsync().ConfigureAwait(false);
            response?.Dispose();
            owned?.Dispose();
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task ExtractAsync(string archive, string destination, CancellationToken ct)
    {
        Directory.CreateDirectory(destination);
        byte[] head = new byte[262];
        int n;
        await using (var peek = File.OpenRead(archive))
            n = await peek.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        try
        {
            if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)
            {
                // ExtractToDirectory refuses entries that would land outside the destination.
                await ZipFile.ExtractToDirectoryAsync(archive, destination, overwriteFiles: false, ct).ConfigureAwait(false);
            }
            else if (n >= 2 && head[0] == 0x1F && head[1] == 0x8B)
            {
                await using var file = File.OpenRead(archive);
                await using var gz = new GZipStream(file, CompressionMode.Decompress);
                await TarFile.ExtractToDirectoryAsync(gz, destination, overwriteFiles: false, ct).ConfigureAwait(false);
            }
            else if (n >= 262 && head[257] == 'u' && head[258] == 's' && head[259] == 't' && head[260] == 'a' && head[261] == 'r')
            {
                await TarFile.ExtractToDirectoryAsync(archive, destination, overwriteFiles: false, ct).ConfigureAwait(false);
            }
            else
            {
                throw new NotSupportedException($"{Path.GetFileName(archive)}: not a zip, tar or tar.gz archive");
            }
        }
        catch (NotSupportedException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        catch (Exception e) when (e is InvalidDataException or IOException && e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{Path.GetFileName(archive)}: cannot extract ({e.Message})", e);
        }
    }

    // The folder of HR images: ArchiveFolder, else a single top folder, else the root; filtered by Include.
    private static string Stage(DatasetInfo info, string extracted, string staged)
    {
        string folder = extracted;
        if (info.ArchiveFolder is { } sub)
        {
            foreach (string part in sub.Split('/', '\\', StringSplitOptions.RemoveEmptyEntries))
            {
                var matches = part is "." or ".." ? [] : Directory.GetDirectories(folder, part);
                if (matches.Length != 1)
                    throw new InvalidDataException(
                        $"{info.Name}: the archive has {(matches.Length == 0 ? "no" : "more than one")} folder matching {sub} " +
                        $"(at '{part}' in {Path.GetRelativePath(extracted, folder)})");
                folder = matches[0];
            }
        }
        else
        {
            while (!Directory.EnumerateFiles(folder).Any(ImageFile.IsImage) && Directory.GetDirectories(folder) is [var only])
                folder = only;
        }

        if (info.Include is null)
        {
            Directory.Move(folder, staged);
            return staged;
        }
        Directory.CreateDirectory(staged);
        foreach (string file in Directory.EnumerateFiles(folder).Where(ImageFile.IsImage))
            if (FileSystemName.MatchesSimpleExpression(info.Include, Path.GetFileName(file)))
                File.Move(file, Path.Combine(staged, Path.GetFileName(file)));
        return staged;
    }

    private static string ArchiveName(DatasetInfo info)
    {
        string name = info.Archive ?? Path.GetFileName(new Uri(info.Url!, UriKind.RelativeOrAbsolute).IsAbsoluteUri
            ? new Uri(info.Url!).AbsolutePath : info.Url!);
        return string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 ? "archive" : name;
    }

    private static void TryDelete(string folder)
    {
        try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
        catch (IOException) { /* best effort: the folder is hidden and named .download-* */ }
        catch (UnauthorizedAccessException) { }
    }
}
