#include "cli/app_context.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <iostream>

namespace orchard::cli {

Result<std::unique_ptr<AppContext>> AppContext::Open(const GlobalOptions& options,
                                                     std::optional<Config> config_override) {
  std::unique_ptr<AppContext> ctx(new AppContext());
  if (config_override) {
    ctx->config_ = *config_override;
  } else {
    ORCHARD_ASSIGN_OR_RETURN(
        ctx->config_, LoadConfig(options.config_file.empty()
                                     ? std::nullopt
                                     : std::optional<std::filesystem::path>(options.config_file)));
  }
  ctx->data_dir_ = options.data_dir;
  std::error_code ec;
  if (!std::filesystem::exists(ctx->data_dir_, ec)) {
    std::filesystem::create_directories(ctx->data_dir_, ec);
    if (ec) {
      return Error(Code::kPermissionDenied,
                   "cannot create data dir " + ctx->data_dir_.string() + ": " + ec.message());
    }
    ::chmod(ctx->data_dir_.c_str(), 0700);
  } else if (!std::filesystem::is_directory(ctx->data_dir_, ec)) {
    return Error(Code::kInvalidArgument, ctx->data_dir_.string() + " is not a directory");
  }
  ORCHARD_ASSIGN_OR_RETURN(ctx->db_, store::sqlite::Database::Open(ctx->data_dir_ / "orchard.db"));
  ctx->meta_ = std::make_unique<store::sqlite::SqliteMetaStore>(ctx->db_, &SystemClock());
  ctx->facts_ = std::make_unique<store::sqlite::SqliteFactStore>(ctx->db_, &SystemClock());
  ctx->access_ = std::make_unique<store::sqlite::SqliteAccessStore>(ctx->db_, &SystemClock());
  ctx->reviews_ = std::make_unique<store::sqlite::SqliteReviewStore>(ctx->db_, &SystemClock());
  ctx->team_name_ = options.team;
  return ctx;
}

Result<int64_t> AppContext::TeamId() {
  if (team_id_ != 0) return team_id_;
  if (!team_name_.empty()) {
    auto team = access_->FindTeamByName(team_name_);
    if (!team.has_value()) {
      if (team.error().code() != Code::kNotFound) return Error(team.error());
      return Error(Code::kNotFound, "there is no team named \"" + team_name_ +
                                        "\"; create it with: orchard team create \"" + team_name_ + "\"");
    }
    return team_id_ = team->id;
  }
  ORCHARD_ASSIGN_OR_RETURN(auto teams, access_->ListTeams());
  if (teams.size() > 1) {
    std::string names;
    for (const auto& t : teams) names += (names.empty() ? "" : ", ") + t.name;
    return Error(Code::kInvalidArgument, "several teams exist (" + names + "): pass --team NAME");
  }
  if (teams.size() == 1) return team_id_ = teams.front().id;
  ORCHARD_ASSIGN_OR_RETURN(auto team, meta_->EnsureDefaultTeam());
  return team_id_ = team.id;
}

Result<accounts::AccountService*> AppContext::Accounts(bool sealed_ok) {
  if (accounts_) return accounts_.get();
  auto sealer = Sealer();
  if (!sealer.has_value() && !sealed_ok) return Error(sealer.error());
  accounts_ = std::make_unique<accounts::AccountService>(
      meta_.get(), access_.get(), sealer.has_value() ? *sealer : nullptr, config_,
      [] { return net::MakeCurlHttpClient(); }, &clock());
  return accounts_.get();
}

Result<std::filesystem::path> AppContext::MasterKeyPath() const {
  return crypto::DefaultMasterKeyPath(data_dir_);
}

Result<const crypto::Sealer*> AppContext::Sealer() {
  if (sealer_) return &*sealer_;
  ORCHARD_ASSIGN_OR_RETURN(std::filesystem::path path, crypto::DefaultMasterKeyPath(data_dir_));
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    ORCHARD_ASSIGN_OR_RETURN(auto ring, crypto::KeyRing::LoadFile(path));
    ring_.emplace(std::move(ring));
  } else {
    ORCHARD_ASSIGN_OR_RETURN(int64_t sealed, meta_->CountSealedSecrets());
    if (sealed > 0) {
      // Never mint a new key over secrets sealed with the old one (SEC-3).
      return Error(Code::kFailedPrecondition,
                   "Orchard is sealed: the master key file " + path.string() +
                       " is missing, so the " + std::to_string(sealed) +
                       " stored credential(s) cannot be used. Restore the key file (or set "
                       "ORCHARD_MASTER_KEY_FILE); stored data can still be read");
    }
    ORCHARD_ASSIGN_OR_RETURN(auto ring, crypto::KeyRing::CreateFile(path));
    ring_.emplace(std::move(ring));
    std::cerr << "Created the master key " << path.string()
              << " (mode 0600). Back it up: without it, linked credentials cannot be used.\n";
  }
  sealer_.emplace(&*ring_);
  sealer_->WatchKeyFile(path);
  return &*sealer_;
}

AppContext::SyncLock& AppContext::SyncLock::operator=(SyncLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

AppContext::SyncLock::~SyncLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

Result<AppContext::SyncLock> AppContext::LockSync(bool wait, std::ostream* waiting) {
  const auto path = data_dir_ / "sync.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error(Code::kUnavailable, "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  SyncLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return lock;
  if (errno != EWOULDBLOCK) {
    return Error(Code::kUnavailable, "cannot lock " + path.string() + ": " + std::strerror(errno));
  }
  if (!wait) return Error(Code::kUnavailable, "another process is syncing this data dir");
  if (waiting != nullptr) {
    *waiting << "Another process (orchard serve or orchard sync) is syncing this data dir; "
                "waiting for it to finish its current pass…\n" << std::flush;
  }
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      return Error(Code::kUnavailable, "cannot lock " + path.string() + ": " + std::strerror(errno));
    }
  }
  return lock;
}

}  // namespace orchard::cli
