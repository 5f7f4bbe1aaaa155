using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MxResolver;

/// <summary>
/// An MTA-STS policy as a sender keeps it between fetches (RFC 8461 §5.1): the policy domain, the
/// <c>id</c> of the TXT record it was fetched under, the policy text and when it was fetched.
/// </summary>
public sealed class MtaStsStoredPolicy
{
    /// <summary>Creates a stored policy from the policy text as it was served.</summary>
    /// <param name="domain">The policy domain, ASCII.</param>
    /// <param name="id">The <c>id</c> of the <c>_mta-sts</c> TXT record the policy was fetched under.</param>
    /// <param name="text">The policy text as served.</param>
    /// <param name="fetchedAt">When the policy was fetched; it expires <see cref="MtaStsPolicy.MaxAge"/> later.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="domain"/> or <paramref name="id"/> is empty, or <paramref name="text"/> is not a valid policy (the message says why).</exception>
    public MtaStsStoredPolicy(string domain, string id, string text, DateTimeOffset fetchedAt)
        : this(domain, id, Parse(text), text, fetchedAt)
    {
    }

    internal MtaStsStoredPolicy(string domain, string id, MtaStsPolicy policy, string text, DateTimeOffset fetchedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(text);
        Domain = domain.TrimEnd('.').ToLowerInvariant();
        Id = id;
        Policy = policy;
        Text = text;
        FetchedAt = fetchedAt;
    }

    /// <summary>The policy domain, ASCII, lower case.</summary>
    public string Domain { get; }

    /// <summary>The <c>id</c> of the TXT record the policy was fetched under; a different id means a new policy to fetch.</summary>
    public string Id { get; }

    /// <summary>The parsed policy.</summary>
    public MtaStsPolicy Policy { get; }

    /// <summary>The policy text as served.</summary>
    public string Text { get; }

    /// <summary>When the policy was fetched.</summary>
    public DateTimeOffset FetchedAt { get; }

    /// <summary>When the policy stops being valid: <see cref="FetchedAt"/> + <see cref="MtaStsPolicy.MaxAge"/>.</summary>
    public DateTimeOffset ExpiresAt => FetchedAt + Policy.MaxAge;

    /// <summary>Whether the policy is still valid at <paramref name="now"/>.</summary>
    /// <param name="now">The time to check at.</param>
    public bool IsValidAt(DateTimeOffset now) => now < ExpiresAt;

    private static MtaStsPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return MtaStsPolicy.TryParse(text, out MtaStsPolicy? policy, out string? error)
            ? policy
            : throw new ArgumentException("Not a valid MTA-STS policy: " + error, nameof(text));
    }
}

/// <summary>
/// Where MTA-STS policies are kept between fetches. A sender that forgets its policies on restart
/// can be downgraded by an attacker who blocks the next fetch (RFC 8461 §10.2), so production use
/// wants a store that survives restarts (<see cref="FileMtaStsPolicyStore"/>).
/// </summary>
/// <remarks>Implementations must be thread-safe.</remarks>
public interface IMtaStsPolicyStore
{
    /// <summary>The policy kept for <paramref name="domain"/>, valid or not; <see langword="null"/> when none.</summary>
    /// <param name="domain">The policy domain, ASCII, lower case.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    ValueTask<MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default);

    /// <summary>Keeps <paramref name="policy"/> for its domain, replacing any earlier one.</summary>
    /// <param name="policy">The policy to keep.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    ValueTask SetAsync(MtaStsStoredPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>Forgets the policy of <paramref name="domain"/>.</summary>
    /// <param name="domain">The policy domain, ASCII, lower case.</param>
    /// <param name="cancellationToken">Stops the removal.</param>
    /// <returns>Whether a policy was kept.</returns>
    ValueTask<bool> RemoveAsync(string domain, CancellationToken cancellationToken = default);
}

/// <summary>Keeps MTA-STS policies in memory: lost on restart. The default when no store is configured.</summary>
public sealed class InMemoryMtaStsPolicyStore : IMtaStsPolicyStore
{
    private readonly ConcurrentDictionary<string, MtaStsStoredPolicy> _policies = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public ValueTask<MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return new(_policies.TryGetValue(domain, out MtaStsStoredPolicy? policy) ? policy : null);
    }

    /// <inheritdoc />
    public ValueTask SetAsync(MtaStsStoredPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policies[policy.Domain] = policy;
        return default;
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(string domain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return new(_policies.TryRemove(domain, out _));
    }
}

/// <summary>
/// Keeps MTA-STS policies as files in a directory, one small JSON file per domain, so that they
/// survive restarts. Writes go to a temporary file renamed into place, so a crash never leaves a
/// half-written policy; a file that cannot be read or parsed counts as no policy.
/// </summary>
public sealed class FileMtaStsPolicyStore : IMtaStsPolicyStore
{
    private const int FormatVersion = 1;
    private readonly string _directory;

    /// <summary>Creates a store in <paramref name="directory"/>, creating the directory if needed.</summary>
    /// <param name="directory">Where the policy files go.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    /// <exception cref="IOException">The directory cannot be created.</exception>
    public FileMtaStsPolicyStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    /// <inheritdoc />
    public async ValueTask<MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        string path = PathOf(domain);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return Parse(bytes, domain);
    }

    /// <inheritdoc />
    public async ValueTask SetAsync(MtaStsStoredPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", FormatVersion);
            writer.WriteString("domain", policy.Domain);
            writer.WriteString("id", policy.Id);
            writer.WriteString("fetchedAt", policy.FetchedAt.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteString("policy", policy.Text);
            writer.WriteEndObject();
        }

        string path = PathOf(policy.Domain);
        string temporary = path + "." + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)) + ".tmp";
        await File.WriteAllBytesAsync(temporary, buffer.ToArray(), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(string domain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        string path = PathOf(domain);
        bool existed = File.Exists(path);
        File.Delete(path);
        return new(existed);
    }

    private static MtaStsStoredPolicy? Parse(byte[] bytes, string domain)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            JsonElement root = document.RootElement;
            if (root.GetProperty("version").GetInt32() != FormatVersion
                || !string.Equals(root.GetProperty("domain").GetString(), domain, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            string id = root.GetProperty("id").GetString() ?? string.Empty;
            string text = root.GetProperty("policy").GetString() ?? string.Empty;
            DateTimeOffset fetchedAt = DateTimeOffset.Parse(root.GetProperty("fetchedAt").GetString() ?? string.Empty, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            return id.Length > 0 && MtaStsPolicy.TryParse(text, out MtaStsPolicy? policy, out _)
                ? new MtaStsStoredPolicy(domain, id, policy, text, fetchedAt)
                : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>One file per domain; the name is the domain's lower-case ASCII form, which is file-name safe once checked.</summary>
    private string PathOf(string domain)
    {
        string name = domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (name.Length == 0 || name.Length > 253 || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_') || name.StartsWith('.') || name.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{domain}' is not an ASCII domain name.", nameof(domain));
        }

        return Path.Combine(_directory, name + ".json");
    }
}
