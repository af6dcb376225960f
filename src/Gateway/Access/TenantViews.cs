using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using Granary.Gateway.Hosting;
using Granary.Tenants;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Access;

/// <summary>
/// What this gateway knows of each tenant (its keys, its functions and workspaces with their access) and of which
/// tenants exist, so that authenticating a key, refusing an unknown name and finding a function's access cost a
/// dictionary lookup instead of a grain call. A view is used for <see cref="AuthOptions.RefreshMs"/>; then it is
/// refreshed in the background while the old one serves, for as long again at most, after which callers wait for the
/// new one. A miss (an unknown function, key or tenant) is answered only from a view fetched after the request
/// arrived, so something created a moment ago through another gateway is never refused. Refreshes ask for a newer
/// version only, so an unchanged tenant costs a tiny grain call per period.
/// <para>
/// Misses are cheap: the views are the only negative cache, so a made-up name (of a tenant, workspace or function)
/// adds nothing to this gateway's memory and wakes no grain; what it costs is the wait for the next refresh of its
/// tenant (or of the list of tenants), which every miss of that tenant arriving meanwhile shares. Refreshes of one
/// view run one at a time and start <see cref="Cached{T}.Spacing"/> apart at least, so a flood of misses costs a
/// bounded rate of tiny grain calls (5,000 a second per tenant at most), whatever its rate.
/// </para>
/// </summary>
internal sealed partial class TenantViews(IGrainFactory grains, InFlightCalls calls, IOptions<AuthOptions> options, ILogger<TenantViews> logger)
{
    private readonly long _fresh = Stopwatch.Frequency * options.Value.RefreshMs / 1000;
    private readonly ConcurrentDictionary<string, Cached<TenantView>> _tenants = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, Cached<TenantView>>.AlternateLookup<ReadOnlySpan<char>> Spans => _tenants.GetAlternateLookup<ReadOnlySpan<char>>();
    private readonly Action<Exception> _refreshFailed = exception => LogRefreshFailed(logger, exception);
    private readonly Cached<TenantDirectoryView> _directory = new(exception => LogRefreshFailed(logger, exception));
    private long _fetches;

    /// <summary>
    /// Gets the view of a tenant, or null when the tenant does not exist (as of a view fetched after
    /// <paramref name="arrived"/>, a <see cref="Stopwatch"/> timestamp).
    /// </summary>
    public ValueTask<TenantView?> GetAsync(string tenant, long arrived) =>
        TryGet(tenant, out var view) ? ValueTask.FromResult(view) : GetSlowAsync(tenant, arrived);

    /// <summary>
    /// Gets the view of a tenant when this gateway holds a usable one (the hot path: no await); <paramref name="view"/>
    /// is null when the tenant does not exist.
    /// </summary>
    public bool TryGet(string tenant, out TenantView? view) => TryGet(tenant.AsSpan(), out view);

    /// <summary>Gets the view of a tenant named by a span (a key's tenant part), as <see cref="TryGet(string, out TenantView?)"/>.</summary>
    public bool TryGet(ReadOnlySpan<char> tenant, out TenantView? view)
    {
        if (Spans.TryGetValue(tenant, out var cached) && cached.Current is { } current && Usable(cached, current.FetchedAt))
        {
            view = current.Exists ? current : null;
            return true;
        }

        view = null;
        return false;
    }

    /// <summary>
    /// Finds something in a tenant's view: in the view at hand, or on a miss in one fetched after
    /// <paramref name="arrived"/> (it may have been created through another gateway since). Null when the tenant or
    /// the thing does not exist.
    /// </summary>
    public async ValueTask<T?> FindAsync<T>(string tenant, long arrived, Func<TenantView, T?> find)
    {
        if ((await GetAsync(tenant, arrived)) is { } view && find(view) is { } found)
        {
            return found;
        }

        return await RefreshedAsync(tenant, arrived) is { } fresh ? find(fresh) : default;
    }

    /// <summary>
    /// Gets a view of the tenant fetched after <paramref name="arrived"/>: for a miss in the view at hand (the function
    /// or key may have been created through another gateway since).
    /// </summary>
    public async ValueTask<TenantView?> RefreshedAsync(string tenant, long arrived)
    {
        if (!await ExistsAsync(tenant, arrived))
        {
            return null;
        }

        var view = await Cache(tenant).FetchedAfterAsync(arrived, known => FetchTenantAsync(tenant, known));
        return view.Exists ? view : null;
    }

    /// <summary>Gets how many grain calls this gateway has made to learn of tenants and their changes.</summary>
    public long Fetches => Interlocked.Read(ref _fetches);

    /// <summary>Gets how many tenants this gateway keeps a view of (only tenants that exist get one).</summary>
    public int Count => _tenants.Count;

    /// <summary>Forgets a tenant's view (this gateway changed it), so the next request reads it anew.</summary>
    public void Forget(string tenant)
    {
        _tenants.TryRemove(tenant, out _);
        _directory.Invalidate();
    }

    private async ValueTask<TenantView?> GetSlowAsync(string tenant, long arrived)
    {
        // Never seen here: the directory answers for names that do not exist without waking a tenant grain, and
        // nothing is kept for them (a flood of made-up names must not grow this cache).
        if (!_tenants.TryGetValue(tenant, out var cached) || cached.Current is null)
        {
            return await RefreshedAsync(tenant, arrived);
        }

        var view = await cached.GetAsync(this, known => FetchTenantAsync(tenant, known));
        return view.Exists ? view : null;
    }

    private async ValueTask<bool> ExistsAsync(string tenant, long arrived)
    {
        if (_directory.Current is { } directory && Usable(_directory, directory.FetchedAt) && directory.Tenants.Contains(tenant))
        {
            return true;
        }

        var fresh = await _directory.FetchedAfterAsync(arrived, FetchDirectoryAsync);
        return fresh.Tenants.Contains(tenant);
    }

    private Cached<TenantView> Cache(string tenant) => _tenants.GetOrAdd(tenant, static (_, failed) => new Cached<TenantView>(failed), _refreshFailed);

    private bool Usable<T>(Cached<T> cached, long fetchedAt)
        where T : class, IFetched
    {
        var age = Stopwatch.GetTimestamp() - fetchedAt;
        if (age < _fresh)
        {
            return true;
        }

        // Stale but within a second period: serve it while a refresh runs in the background.
        return age < 2 * _fresh && cached.RefreshInBackground();
    }

    private async Task<TenantView> FetchTenantAsync(string tenant, TenantView? known)
    {
        var started = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _fetches);
        var snapshot = await calls.ReadAsync(() => grains.GetGrain<ITenantGrain>(tenant).GetSnapshotAsync(known?.Version ?? 0));
        return snapshot is null ? known! with { FetchedAt = started } : TenantView.From(tenant, snapshot, started);
    }

    private async Task<TenantDirectoryView> FetchDirectoryAsync(TenantDirectoryView? known)
    {
        var started = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _fetches);
        var list = await calls.ReadAsync(() => grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).GetTenantsAsync(known?.Version ?? 0));
        return list is null ? known! with { FetchedAt = started } : new TenantDirectoryView(list.Version, list.Tenants.ToFrozenSet(StringComparer.Ordinal), started);
    }

    /// <summary>Something fetched: when its fetch started.</summary>
    internal interface IFetched
    {
        long FetchedAt { get; }
    }

    /// <summary>The tenants that exist, as of <see cref="FetchedAt"/>.</summary>
    internal sealed record TenantDirectoryView(long Version, FrozenSet<string> Tenants, long FetchedAt) : IFetched;

    /// <summary>
    /// One cached value and the fetch in flight, if any. Fetches are shared, one runs at a time, and two start
    /// <see cref="Spacing"/> apart at least: a request waits only for a fetch that started after it arrived (the running
    /// one, or else the next, which every request arriving meanwhile shares), so however many requests miss, one small
    /// grain call per spacing is made at most.
    /// </summary>
    internal sealed class Cached<T>(Action<Exception> backgroundFailed)
        where T : class, IFetched
    {
        /// <summary>
        /// The least time between the starts of two fetches: what a flood of misses costs (5,000 tiny grain calls a
        /// second per tenant at most) against what it adds to a miss under that flood (this, at most). Shorter than a
        /// timer's resolution, so a queued fetch that no arriving request starts waits by yielding the thread.
        /// </summary>
        public static readonly TimeSpan Spacing = TimeSpan.FromMicroseconds(200);

        private static readonly long s_spacing = (long)(Spacing.TotalSeconds * Stopwatch.Frequency);
        private readonly Lock _gate = new();
        private Task<T>? _fetching;
        private long _fetchingSince;
        private TaskCompletionSource<T>? _queued;
        private Func<T?, Task<T>>? _lastFetch;
        private volatile T? _current;

        public T? Current => _current;

        public void Invalidate() => _current = null;

        public async ValueTask<T> GetAsync(TenantViews owner, Func<T?, Task<T>> fetch) =>
            await FetchedAfterAsync(Stopwatch.GetTimestamp() - (2 * owner._fresh), fetch);

        public Task<T> FetchedAfterAsync(long arrived, Func<T?, Task<T>> fetch)
        {
            lock (_gate)
            {
                _lastFetch = fetch;
                if (_current is { } current && current.FetchedAt >= arrived)
                {
                    return Task.FromResult(current);
                }

                var running = _fetching is { IsCompleted: false };
                if (running && _fetchingSince >= arrived)
                {
                    return _fetching!;
                }

                if (!running && !TooSoonLocked())
                {
                    // Also for the requests queued before this one: the fetch starts after each of them arrived.
                    return StartLocked(fetch);
                }

                // Wait for the next fetch, with every request arriving meanwhile: the first to arrive once the spacing
                // has passed starts it (or the timer below, when none comes).
                if (_queued is null)
                {
                    _queued = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _ = StartQueuedAsync(_queued, _fetching!);
                }

                return _queued.Task;
            }
        }

        // Starts a refresh unless one is running; true when the caller may go on with the current value.
        public bool RefreshInBackground()
        {
            lock (_gate)
            {
                if (_fetching is not { IsCompleted: false } && _lastFetch is { } fetch)
                {
                    // Nobody waits for this one: its failure is logged, and the next request past the period waits for a new one.
                    _ = StartLocked(fetch).ContinueWith(
                        static (task, failed) => ((Action<Exception>)failed!)(task.Exception!.GetBaseException()),
                        backgroundFailed,
                        CancellationToken.None,
                        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }

                return _lastFetch is not null;
            }
        }

        private bool TooSoonLocked() => Stopwatch.GetTimestamp() - _fetchingSince < s_spacing;

        // Starts the queued fetch when no request arrives to start it: once the last fetch has ended and the spacing passed.
        private async Task StartQueuedAsync(TaskCompletionSource<T> queued, Task last)
        {
            await last.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
            while (true)
            {
                lock (_gate)
                {
                    if (_queued != queued)
                    {
                        return;
                    }

                    if (_fetching is { IsCompleted: false } running)
                    {
                        last = running;
                    }
                    else if (!TooSoonLocked())
                    {
                        StartLocked(_lastFetch!);
                        return;
                    }
                }

                if (!last.IsCompleted)
                {
                    await last.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
                else
                {
                    // Less than a timer's resolution: let the requests queued on the thread pool run meanwhile.
                    await Task.Yield();
                }
            }
        }

        // Starts a fetch, which the queued requests (all arrived before now) wait for too.
        private Task<T> StartLocked(Func<T?, Task<T>> fetch)
        {
            _fetchingSince = Stopwatch.GetTimestamp();
            var task = FetchAsync(fetch, _current);
            _fetching = task;
            if (_queued is { } queued)
            {
                _queued = null;
                _ = task.ContinueWith(
                    static (done, state) =>
                    {
                        var waiting = (TaskCompletionSource<T>)state!;
                        if (done.IsCompletedSuccessfully)
                        {
                            waiting.SetResult(done.Result);
                        }
                        else if (done.Exception is { } failure)
                        {
                            waiting.SetException(failure.InnerExceptions);
                        }
                        else
                        {
                            waiting.SetCanceled();
                        }
                    },
                    queued,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }

            return task;
        }

        private async Task<T> FetchAsync(Func<T?, Task<T>> fetch, T? known)
        {
            var value = await fetch(known);
            lock (_gate)
            {
                if (_current is null || value.FetchedAt >= _current.FetchedAt)
                {
                    _current = value;
                }
            }

            return value;
        }
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Warning, Message = "A background refresh of what this gateway knows of tenants failed; requests past the refresh period wait for a new one")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
