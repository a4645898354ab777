import Crypto
import Foundation
import HavenExchange
import HavenIdentity
import HavenMarket
import HavenStore
import Hummingbird

extension StorageMarket {
    /// Backs up the folder at `request.path`: packs its current files (``BackupArchive``),
    /// erasure-codes the archive K-of-N, seals each shard under its own key and places it with
    /// its own provider: the cheapest open offers of distinct known peers that fit the shard.
    func backup(_ request: CreateBackupRequest) async throws -> BackupRecord {
        let directory: DataPath
        do {
            directory = try DataPath(parsing: request.path).asDirectory
        } catch {
            throw APIError(.badRequest, code: "invalid_path", message: "'\(request.path.prefix(200))' is not a data path: \(error)")
        }
        let code: ErasureCode
        do {
            code = try ErasureCode(dataShards: request.dataShards, totalShards: request.totalShards)
        } catch {
            throw APIError(.badRequest, code: "invalid_copies", message: "--copies \(request.dataShards)-of-\(request.totalShards): \(error)")
        }
        let (archive, files) = try await pack(directory)
        let shardBytes = UInt64(ShardCipher.sealedLength(of: code.shardLength(forOriginalLength: archive.count)))
        let candidates = try await candidates(shardBytes: shardBytes, maximumPrice: request.maximumPrice, termPeriods: request.termPeriods)
        var byProvider: [DID: StorageOffer] = [:]
        for offer in candidates where byProvider[offer.provider] == nil { byProvider[offer.provider] = offer }
        guard byProvider.count >= code.totalShards else {
            throw APIError(
                .conflict, code: "not_enough_providers",
                message:
                    "a \(code.dataShards)-of-\(code.totalShards) backup needs \(code.totalShards) providers with room for \(shardBytes) bytes; \(byProvider.count) known peers offer it (see 'haven market offers --peers')"
            )
        }
        let chosen = candidates.filter { byProvider[$0.provider] == $0 }.prefix(code.totalShards)
        let id = Base32.encode(Self.randomBytes(10))
        var plans: [(offer: StorageOffer, nonce: [UInt8], contract: ContractID)] = []
        for offer in chosen {
            let nonce = Self.randomBytes(ContractRevision.minimumNonceSize)
            plans.append((offer, nonce, .deriving(offer: offer.id, consumer: owner.did, nonce: nonce)))
        }
        let ciphers = plans.enumerated().map { index, plan in state.keys.cipher(backup: id, shard: index, contract: plan.contract) }
        let replicas = try BackupPlan.prepare(archive, code: code, ciphers: ciphers)
        let digest = SHA256Digest(archive)
        let record = BackupRecord(
            id: id, path: directory.string, createdAt: Date(), dataShards: code.dataShards, totalShards: code.totalShards,
            archiveBytes: archive.count, files: files, digest: digest)
        try catalog.saveBackup(record)
        // The contracts are opened side by side: each provider pulls its own shard.
        var failures: [String] = []
        try await withThrowingTaskGroup(of: String?.self) { group in
            for (index, replica) in replicas.enumerated() {
                let plan = plans[index]
                group.addTask {
                    do {
                        _ = try await open(
                            offer: plan.offer, nonce: plan.nonce, sealed: replica.sealed, commitment: replica.commitment,
                            termPeriods: request.termPeriods ?? plan.offer.terms.minimumTermPeriods, backup: id,
                            shardIndex: index)
                        return nil
                    } catch {
                        return "shard \(index) with \(plan.offer.provider): \(Self.describe(error))"
                    }
                }
            }
            for try await failure in group { if let failure { failures.append(failure) } }
        }
        // A shard a provider refused goes to the next provider that has room, sealed afresh.
        for failure in failures {
            audit(owner.did.description, "backup.place", id, allowed: false, failure)
        }
        let placed = Set(try catalog.storedContracts(backup: id).compactMap(\.shardIndex))
        for index in 0..<code.totalShards where !placed.contains(index) {
            let plain = code.encode(archive)[index].bytes
            _ = try await place(plain, backup: record, shardIndex: index, avoiding: [], termPeriods: request.termPeriods)
        }
        audit(
            owner.did.description, "backup.add", directory.string, allowed: true,
            "backup \(id): \(files) files, \(archive.count) bytes, \(code.dataShards)-of-\(code.totalShards)")
        return record
    }

    /// The current files under `directory`, packed.
    private func pack(_ directory: DataPath) async throws -> (archive: [UInt8], files: Int) {
        let versions = try environment.store.currentFiles(under: directory)
        guard !versions.isEmpty else {
            throw APIError(.notFound, code: "not_found", message: "\(directory) holds no files to back up")
        }
        var total: Int64 = 0
        var entries: [BackupArchive.Entry] = []
        for version in versions {
            total += version.size
            guard total <= Int64(Self.maximumBackupBytes) else {
                throw APIError(
                    .contentTooLarge, code: "too_large",
                    message: "\(directory) holds more than \(Self.maximumBackupBytes >> 20) MiB; back up its subfolders one by one")
            }
            let relative = String(version.path.string.dropFirst(directory.string.count))
            entries.append(
                BackupArchive.Entry(path: relative, mediaType: version.mediaType, bytes: try await environment.store.contents(of: version)))
        }
        return (try BackupArchive.pack(entries), entries.count)
    }

    /// Open offers that fit a shard of `shardBytes` at no more than `maximumPrice`, cheapest first.
    private func candidates(shardBytes: UInt64, maximumPrice: Int64?, termPeriods: UInt64?) async throws -> [StorageOffer] {
        let (offers, _) = try await peerOffers()
        return offers.map(\.offer).filter { offer in
            offer.terms.capacityBytes >= shardBytes && offer.provider != owner.did
                && (maximumPrice.map { offer.terms.pricePerGiBPerPeriod <= $0 } ?? true)
                && (termPeriods.map { $0 >= offer.terms.minimumTermPeriods } ?? true)
        }.sorted {
            ($0.terms.pricePerGiBPerPeriod, $0.provider.description) < ($1.terms.pricePerGiBPerPeriod, $1.provider.description)
        }
    }

    /// Places one shard's plain bytes with a provider: one not holding a shard of the backup if
    /// any has room, else any other than `avoiding`; sealed under the new contract's key, for
    /// `termPeriods` or the offer's minimum term, whichever is longer.
    func place(
        _ plain: [UInt8], backup: BackupRecord, shardIndex: Int, avoiding: Set<DID>, termPeriods: UInt64?
    ) async throws -> StoredContract {
        let shardBytes = UInt64(ShardCipher.sealedLength(of: plain.count))
        let holding = Set(try catalog.storedContracts(backup: backup.id).filter { $0.contract.status == .active }.map(\.peer))
        let offers = try await candidates(shardBytes: shardBytes, maximumPrice: nil, termPeriods: nil)
            .filter { !avoiding.contains($0.provider) }
        let ordered = offers.filter { !holding.contains($0.provider) } + offers.filter { holding.contains($0.provider) }
        var reasons: [String] = []
        for offer in ordered {
            let nonce = Self.randomBytes(ContractRevision.minimumNonceSize)
            let contract = ContractID.deriving(offer: offer.id, consumer: owner.did, nonce: nonce)
            let sealed = try state.keys.cipher(backup: backup.id, shard: shardIndex, contract: contract).seal(plain)
            do {
                return try await open(
                    offer: offer, nonce: nonce, sealed: sealed, commitment: try ShardTree(shard: sealed).commitment,
                    termPeriods: max(termPeriods ?? 0, offer.terms.minimumTermPeriods), backup: backup.id,
                    shardIndex: shardIndex)
            } catch {
                reasons.append("\(offer.provider): \(Self.describe(error))")
            }
        }
        throw APIError(
            .badGateway, code: "no_provider",
            message: "no provider took shard \(shardIndex) of backup \(backup.id)"
                + (reasons.isEmpty ? " (no open offer fits it)" : ": " + reasons.joined(separator: "; ")))
    }

    /// Rebuilds the shard of a breached contract from K others and places it with another
    /// provider.
    func repair(_ breached: StoredContract) async throws -> StoredContract {
        guard let backupID = breached.backup, let index = breached.shardIndex,
            let backup = try catalog.backups().first(where: { $0.id == backupID })
        else {
            throw APIError(.notFound, code: "not_found", message: "contract \(breached.id) stores no shard of a backup kept here")
        }
        let code = try ErasureCode(dataShards: backup.dataShards, totalShards: backup.totalShards)
        var opened: [Int: [UInt8]] = [:]
        for source in try currentShards(of: backup) where source.shardIndex != index {
            guard opened.count < code.dataShards, let sourceIndex = source.shardIndex else { continue }
            if let bytes = try? await fetchShard(source, backup: backup) { opened[sourceIndex] = bytes }
        }
        guard opened.count >= code.dataShards else {
            throw APIError(
                .badGateway, code: "repair_failed",
                message: "only \(opened.count) of the \(code.dataShards) shards needed to rebuild shard \(index) could be fetched")
        }
        let plain = try code.repair(missing: index, from: opened)
        // The new contract runs for what was left of the old one (or the offer's minimum, if longer).
        let left = breached.contract.current.termPeriods - breached.contract.current.period
        let placed = try await place(plain, backup: backup, shardIndex: index, avoiding: [breached.peer], termPeriods: left)
        audit(
            owner.did.description, "backup.repair", backup.id, allowed: true,
            "shard \(index) rebuilt from \(opened.count) others and placed with \(placed.peer) (contract \(placed.id))")
        return placed
    }

    /// The contract that holds each shard now: for each index, the newest one not breached.
    func currentShards(of backup: BackupRecord) throws -> [StoredContract] {
        var byIndex: [Int: StoredContract] = [:]
        for stored in try catalog.storedContracts(backup: backup.id) where stored.contract.status != .breached {
            guard let index = stored.shardIndex else { continue }
            if let known = byIndex[index], known.openedAt > stored.openedAt { continue }
            byIndex[index] = stored
        }
        return byIndex.keys.sorted().compactMap { byIndex[$0] }
    }

    /// One shard fetched back from its provider, checked against the contract's commitment
    /// and opened: the plain erasure-coded shard.
    func fetchShard(_ stored: StoredContract, backup: BackupRecord) async throws -> [UInt8] {
        let commitment = stored.contract.current.shard
        let response = try await client(for: stored.peer).execute(
            .GET, "/exchange/v1/market/contracts/\(stored.id)/shard", timeout: Self.pullTimeout)
        guard response.status == .ok else {
            throw APIError(.badGateway, code: "shard_unavailable", message: "the provider answered \(response.status.code)")
        }
        let body = try await response.body.collect(upTo: Int(commitment.byteCount) + 1)
        let sealed = Array(buffer: body)
        guard let tree = try? ShardTree(shard: sealed), tree.commitment == commitment else {
            throw APIError(.badGateway, code: "shard_corrupt", message: "the shard does not match the contract's Merkle root")
        }
        guard let index = stored.shardIndex else { throw APIError(.internalServerError, code: "internal", message: "no shard index") }
        return try state.keys.cipher(backup: backup.id, shard: index, contract: stored.id).open(sealed)
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? APIError { return error.message }
        return "\(error)"
    }
}
