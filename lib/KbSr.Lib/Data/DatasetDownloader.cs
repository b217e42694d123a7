using System.Formats.Tar;
using System.IO.Compression;
using System.IO.Enumeration;
using System.Globalization;
using System.Security.Cryptography;
using KbSr.Imaging;
using KbSr.Runtime;

namespace KbSr.Data;

/// <summary>
/// Bounds on a download and on what its archive may expand to: every network read has a timeout, every byte count a
/// ceiling, so a stalled server fails with a message in bounded time and a crafted archive cannot fill the disk.
/// </summary>
public sealed record DownloadLimits
{
    /// <summary>Time to open the connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for the response headers or for the next bytes of the body (a stall).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest archive accepted (the biggest catalogue archive, Flickr2K, is about 20 GB).</summary>
    public long MaxDownloadBytes { get; init; } = 64L << 30;

    /// <summary>Extracted bytes allowed per archive byte: images barely compress, so real sets stay well under 2.</summary>
    public double MaxExpansionRatio { get; init; } = 20;

    /// <summary>Extracted bytes allowed on top of the ratio, so small archives of uncompressed images fit.</summary>
    public long ExpansionAllowanceBytes { get; init; } = 64L << 20;

    /// <summary>Largest single extracted file.</summary>
    public long MaxEntryBytes { get; init; } = 4L << 30;

    /// <summary>Redirects followed (to http and https addresses only).</summary>
    public int MaxRedirects { get; init; } = 10;

    public static DownloadLimits Default { get; } = new();

    /// <summary>Total extracted bytes allowed for an archive of <paramref name="archiveBytes"/>.</summary>
    public long MaxExtractedBytes(long archiveBytes) =>
        (long)Math.Min(long.MaxValue / 2.0, archiveBytes * MaxExpansionRatio + ExpansionAllowanceBytes);
}

/// <summary>
/// Fetches a catalogue dataset into <c>&lt;root&gt;/&lt;Name&gt;</c> (docs/design.md §3.4): download into a
/// hidden working folder inside the root, check the archive's SHA-256 when the catalogue knows it,
/// extract (zip, tar, tar.gz), pick the image folder, check the file count, then move the folder
/// into place in one rename. On any failure the working folder is removed: nothing half-written stays; a working
/// folder left by a killed process (<c>.download-NAME-PID-*</c> whose process is gone) is removed by the next call.
/// <see cref="DownloadLimits"/> bounds the time and the bytes.
/// </summary>
public static class DatasetDownloader
{
    private const int BufferSize = 1 << 16;

    public static async Task GetAsync(DatasetInfo info, string root, HttpClient? http = null,
                                      IProgress<string>? progress = null, CancellationToken ct = default, DownloadLimits? limits = null)
    {
        limits ??= DownloadLimits.Default;
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
        RemoveLeftovers(root, progress);

        string work = Path.Combine(root, $".download-{info.Name}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string archive = Path.Combine(work, ArchiveName(info));
            progress?.Report($"downloading {info.Name} from {info.Url}");
            string sha = await DownloadAsync(info.Url, archive, http, progress, limits, ct).ConfigureAwait(false);
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
            await ExtractAsync(archive, extracted, limits, ct).ConfigureAwait(false);
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
                                                    IProgress<string>? progress, DownloadLimits limits, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Stream source;
        long? length;
        HttpResponseMessage? response = null;
        HttpClient? owned = null;
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            if (http is null)
                http = owned = new HttpClient(new SocketsHttpHandler { ConnectTimeout = limits.ConnectTimeout, AllowAutoRedirect = false })
                {
                    Timeout = Timeout.InfiniteTimeSpan, // the read timeout below bounds every wait instead
                };
            try
            {
                response = await GetFollowingRedirectsAsync(http, uri, url, limits, ct).ConfigureAwait(false);
                length = response.Content.Headers.ContentLength;
                if (length > limits.MaxDownloadBytes)
                    throw new IOException($"{url}: the server announces {length.Value / 1e6:F1} MB, more than the {limits.MaxDownloadBytes / 1e6:F0} MB limit");
                source = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            }
            catch
            {
                response?.Dispose();
                owned?.Dispose();
                throw;
            }
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
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
            while (true)
            {
                stall.CancelAfter(limits.ReadTimeout);
                int read;
                try { read = await source.ReadAsync(buffer, stall.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new TimeoutException($"{url}: no data for {limits.ReadTimeout.TotalSeconds:0.#} s after {total / 1e6:F1} MB: " +
                                               "the server stalled; try again later");
                }
                if (read == 0) break;
                total += read;
                if (total > limits.MaxDownloadBytes)
                    throw new IOException($"{url}: more than the {limits.MaxDownloadBytes / 1e6:F0} MB download limit; stopped");
                hash.AppendData(buffer, 0, read);
                await sink.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
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

    // Follows redirects by hand: only to http(s) addresses, at most MaxRedirects, each wait bounded by the read timeout.
    private static async Task<HttpResponseMessage> GetFollowingRedirectsAsync(HttpClient http, Uri uri, string url,
                                                                             DownloadLimits limits, CancellationToken ct)
    {
        for (int hop = 0; ; hop++)
        {
            HttpResponseMessage response;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                wait.CancelAfter(limits.ReadTimeout + limits.ConnectTimeout);
                try { response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, wait.Token).ConfigureAwait(false); }
                catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                {
                    throw new TimeoutException($"{uri}: no response within {(limits.ReadTimeout + limits.ConnectTimeout).TotalSeconds:0.#} s: " +
                                               "the server is unreachable or stalled; try again later", e);
                }
            }
            int status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308)
            {
                var location = response.Headers.Location;
                response.Dispose();
                if (location is null) throw new HttpRequestException($"{uri}: HTTP {status} without a Location to follow");
                var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                    throw new HttpRequestException($"{url}: redirected to {next}, which is not an http(s) address; only http and https redirects are followed");
                if (hop >= limits.MaxRedirects)
                    throw new HttpRequestException($"{url}: more than {limits.MaxRedirects} redirects");
                uri = next;
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                string reason = $"{url}: HTTP {status} {response.ReasonPhrase}";
                response.Dispose();
                throw new HttpRequestException(reason);
            }
            return response;
        }
    }

    private static async Task ExtractAsync(string archive, string destination, DownloadLimits limits, CancellationToken ct)
    {
        Directory.CreateDirectory(destination);
        byte[] head = new byte[262];
        int n;
        await using (var peek = File.OpenRead(archive))
            n = await peek.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        var budget = new ExtractionBudget(Path.GetFileName(archive), limits, new FileInfo(archive).Length);
        try
        {
            if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)
            {
                using var zip = ZipFile.OpenRead(archive);
                foreach (var entry in zip.Entries)
                {
                    string target = budget.PathFor(destination, entry.FullName);
                    if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\')) { Directory.CreateDirectory(target); continue; }
                    await using var data = entry.Open();
                    await budget.CopyAsync(data, target, entry.FullName, ct).ConfigureAwait(false);
                }
            }
            else if (n >= 2 && head[0] == 0x1F && head[1] == 0x8B)
            {
                await using var file = File.OpenRead(archive);
                await using var gz = new GZipStream(file, CompressionMode.Decompress);
                await ExtractTarAsync(gz, destination, budget, ct).ConfigureAwait(false);
            }
            else if (n >= 262 && head[257] == 'u' && head[258] == 's' && head[259] == 't' && head[260] == 'a' && head[261] == 'r')
            {
                await using var file = File.OpenRead(archive);
                await ExtractTarAsync(file, destination, budget, ct).ConfigureAwait(false);
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
        catch (Exception e) when (e is InvalidDataException or IOException && e is not FileNotFoundException && !budget.Refused)
        {
            throw new InvalidDataException($"{Path.GetFileName(archive)}: cannot extract ({e.Message})", e);
        }
    }

    // Regular files and folders only: links and devices are not needed for images and are not created.
    private static async Task ExtractTarAsync(Stream stream, string destination, ExtractionBudget budget, CancellationToken ct)
    {
        await using var reader = new TarReader(stream);
        while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is TarEntryType.Directory)
                Directory.CreateDirectory(budget.PathFor(destination, entry.Name));
            else if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
                await budget.CopyAsync(entry.DataStream ?? Stream.Null, budget.PathFor(destination, entry.Name), entry.Name, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Counts extracted bytes against <see cref="DownloadLimits"/> as they are written (an archive's own
    /// size fields can lie) and keeps every entry inside the destination.</summary>
    private sealed class ExtractionBudget(string archive, DownloadLimits limits, long archiveBytes)
    {
        private readonly long _maxTotal = limits.MaxExtractedBytes(archiveBytes);
        private long _total;

        public bool Refused { get; private set; }

        public string PathFor(string destination, string name)
        {
            string root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
            string full = Path.GetFullPath(Path.Combine(root, name));
            if (!full.StartsWith(root, StringComparison.Ordinal) && full + Path.DirectorySeparatorChar != root)
                throw Refuse($"{archive}: entry '{name}' points outside the extraction folder; refused");
            return full;
        }

        public async Task CopyAsync(Stream data, string target, string name, CancellationToken ct)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using var sink = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
            var buffer = new byte[BufferSize];
            long entry = 0;
            int read;
            while ((read = await data.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                entry += read;
                _total += read;
                if (entry > limits.MaxEntryBytes)
                    throw Refuse($"{archive}: entry '{name}' expands to more than {limits.MaxEntryBytes / 1e6:F0} MB; refused (a damaged or malicious archive)");
                if (_total > _maxTotal)
                    throw Refuse($"{archive}: expands to more than {_maxTotal / 1e6:F0} MB from {archiveBytes / 1e6:F1} MB; refused " +
                                 "(a damaged or malicious archive); nothing was kept");
                await sink.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            }
        }

        private InvalidDataException Refuse(string message)
        {
            Refused = true;
            return new InvalidDataException(message);
        }
    }

    // Working folders of killed runs: .download-NAME-PID-GUID whose process is gone (or the older .download-NAME-GUID).
    private static void RemoveLeftovers(string root, IProgress<string>? progress)
    {
        foreach (string folder in Directory.EnumerateDirectories(root, ".download-*"))
        {
            string[] parts = Path.GetFileName(folder).Split('-');
            bool live = parts.Length >= 4 && int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) &&
                        LiveProcess.IsRunning(pid);
            if (live) continue;
            TryDelete(folder);
            if (!Directory.Exists(folder)) progress?.Report($"removed {folder}, left by an interrupted download");
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
