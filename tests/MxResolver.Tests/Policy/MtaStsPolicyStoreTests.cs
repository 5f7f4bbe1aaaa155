namespace MxResolver.Tests.Policy;

// Behaviour rules R35 (docs/behaviour.md, "Secure delivery").

/// <summary>The in-memory and file-backed policy stores: round trips, survival across instances, and damaged files.</summary>
public sealed class MtaStsPolicyStoreTests : IDisposable
{
    private const string Text = "version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 604800\n";
    private static readonly DateTimeOffset FetchedAt = new(2026, 12, 1, 8, 30, 15, 123, TimeSpan.Zero);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mxr-sts-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    public static TheoryData<string> Kinds => new("memory", "file");

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task SetAsync_ThenGetAsync_SamePolicy(string kind)
    {
        IMtaStsPolicyStore store = NewStore(kind);
        await store.SetAsync(new MtaStsStoredPolicy("Example.Test.", "20261201", Text, FetchedAt), Ct);

        MtaStsStoredPolicy? read = await store.GetAsync("example.test", Ct);

        Assert.NotNull(read);
        Assert.Equal("example.test", read.Domain);
        Assert.Equal("20261201", read.Id);
        Assert.Equal(Text, read.Text);
        Assert.Equal(FetchedAt, read.FetchedAt);
        Assert.Equal(FetchedAt + TimeSpan.FromDays(7), read.ExpiresAt);
        Assert.Equal(["mx.example.test"], read.Policy.MxPatterns);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task RemoveAsync_Kept_ForgottenAndTrue(string kind)
    {
        IMtaStsPolicyStore store = NewStore(kind);
        await store.SetAsync(new MtaStsStoredPolicy("example.test", "1", Text, FetchedAt), Ct);

        Assert.True(await store.RemoveAsync("example.test", Ct));
        Assert.False(await store.RemoveAsync("example.test", Ct));
        Assert.Null(await store.GetAsync("example.test", Ct));
    }

    [Fact]
    public async Task FileStore_NewInstance_StillHasThePolicy()
    {
        // A restart: what one store wrote, another over the same directory reads.
        await new FileMtaStsPolicyStore(_directory).SetAsync(new MtaStsStoredPolicy("example.test", "7", Text, FetchedAt), Ct);

        MtaStsStoredPolicy? read = await new FileMtaStsPolicyStore(_directory).GetAsync("example.test", Ct);

        Assert.Equal("7", read?.Id);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"version\":1,\"domain\":\"example.test\",\"id\":\"1\",\"fetchedAt\":\"2026-12-01T00:00:00Z\",\"policy\":\"version: STSv1\\nmode: bogus\\n\"}")]
    [InlineData("{\"version\":1,\"domain\":\"other.test\",\"id\":\"1\",\"fetchedAt\":\"2026-12-01T00:00:00Z\",\"policy\":\"version: STSv1\\nmode: none\\nmax_age: 1\\n\"}")]
    [InlineData("{\"version\":99}")]
    public async Task FileStore_DamagedFile_NoPolicy(string content)
    {
        var store = new FileMtaStsPolicyStore(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "example.test.json"), content, Ct);

        Assert.Null(await store.GetAsync("example.test", Ct));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a/b")]
    [InlineData("")]
    public async Task FileStore_NotADomain_Throws(string domain)
    {
        var store = new FileMtaStsPolicyStore(_directory);

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.GetAsync(domain, Ct));
    }

    [Fact]
    public void StoredPolicy_InvalidText_ThrowsWithTheReason()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new MtaStsStoredPolicy("example.test", "1", "version: STSv1\nmode: sometimes\n", FetchedAt));

        Assert.Contains("mode", error.Message, StringComparison.Ordinal);
    }

    private IMtaStsPolicyStore NewStore(string kind) => kind == "file" ? new FileMtaStsPolicyStore(_directory) : new InMemoryMtaStsPolicyStore();
}
