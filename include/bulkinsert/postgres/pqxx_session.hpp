#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libpq-fe.h>
#include <pqxx/version>

#include <pqxx/connection>
#include <pqxx/except>
#if PQXX_VERSION_MAJOR < 7
#include <pqxx/largeobject>
#else
#include <pqxx/params>
#endif
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <fmt/format.h>

#include "../detail/driver_errors.hpp"
#include "../error.hpp"
#include "errors.hpp"

namespace bulkinsert::detail {

/// The connection type a PostgresBackend borrows: 6.x splits it into connection_base and its
/// connection policies; 7.0 folded them into pqxx::connection, and 8.0 removed the connection_base alias.
#if PQXX_VERSION_MAJOR < 7
using PqxxConnection = pqxx::connection_base;
#else
using PqxxConnection = pqxx::connection;
#endif

/// Every libpqxx call bulkinsert makes lives in this class: opening the connection, the transaction,
/// plain SQL, and reaching the libpq handle underneath. Supporting libpqxx 7.x means changing only this
/// file, and every difference between libpqxx versions is spelled out here. Tested with libpqxx 6.4.5
/// and 7.10.7; written for 8.x too (no name that 8.0 removed), which needs GCC 13 to build.
class PqxxSession {
 public:
  explicit PqxxSession(const std::string& conninfo) : owned_(connect(conninfo)), conn_(owned_.get()) {
    adopt_raw_handle();
  }
  /// libpqxx 7+: throws Error if the connection has a transaction open (see adopt_raw_handle).
  explicit PqxxSession(PqxxConnection& connection) : conn_(&connection) { adopt_raw_handle(); }

  [[nodiscard]] PqxxConnection& connection() noexcept { return *conn_; }

  void begin() {
    guard([&] { tx_.emplace(*conn_, "bulkinsert"); });
  }
  void commit() {
    guard([&] { tx_->commit(); });
    tx_.reset();
  }
  /// pqxx::work's destructor aborts an open transaction and swallows any error.
  void rollback() noexcept { tx_.reset(); }
  [[nodiscard]] bool in_transaction() const noexcept { return tx_.has_value(); }

  void execute(std::string_view sql) {
    guard([&] {
      if (tx_) {
        tx_->exec(std::string{sql});
      } else {
        pqxx::nontransaction n{*conn_};
        n.exec(std::string{sql});
      }
    });
  }

  /// Runs a query with one text parameter and returns its rows as text (NULL as std::nullopt).
  std::vector<std::vector<std::optional<std::string>>> query(const std::string& sql, const std::string& param) {
    std::vector<std::vector<std::optional<std::string>>> rows;
    guard([&] {
      auto read = [&](pqxx::transaction_base& t) {
#if PQXX_VERSION_MAJOR < 7
        const pqxx::result r = t.exec_params(sql, param);
#else
        // exec_params is deprecated from 7.9 on, and exec(sql, params) does not exist before 7.8.
        const pqxx::result r = t.exec(sql, pqxx::params{param});
#endif
        for (pqxx::result::size_type i = 0; i < r.size(); ++i) {
          auto& out = rows.emplace_back();
          for (pqxx::row::size_type j = 0; j < r[i].size(); ++j) {
            const pqxx::field f = r[i][j];
            if (f.is_null()) out.emplace_back();
            else out.emplace_back(std::string{f.c_str(), f.size()});
          }
        }
      };
      if (tx_) {
        read(*tx_);
      } else {
        pqxx::nontransaction n{*conn_};
        read(n);
      }
    });
    return rows;
  }

  /// The libpq connection under the open transaction. We need libpq for COPY BINARY, pipeline mode
  /// and parameter arrays without a std::string per value, none of which libpqxx 6.4 offers.
  [[nodiscard]] PGconn* raw() const {
    if (!tx_) throw Error("bulkinsert internal error: the libpq handle is used outside a transaction");
#if PQXX_VERSION_MAJOR < 7
    return RawHandle::of(*tx_);
#else
    return raw_;
#endif
  }

 private:
#if PQXX_VERSION_MAJOR < 7
  // libpqxx 6.4 has no public accessor: connection_base::raw_connection() is private, and
  // pqxx::largeobject hands the handle only to derived classes, through the transaction.
  struct RawHandle : pqxx::largeobject {
    static PGconn* of(const pqxx::dbtransaction& t) { return raw_connection(t); }
  };
  void adopt_raw_handle() noexcept {}
#else
  // libpqxx 7 gives the handle out only through release_raw_connection(), which empties the
  // connection, and seize_raw_connection(), which wraps a handle again (largeobject, the 6.4 route, is
  // deprecated in 7). So the connection is re-seated once on its own handle, in place:
  // the caller's object stays the same object on the same server session. listen() handlers and
  // notice handlers registered before belong to the old object state and are not carried over (the
  // README says so). An open transaction is refused first, by starting one: moving the connection
  // would fail half way and leave it empty. The one refusal not checked first is a deprecated
  // notification_receiver: the move then throws and the connection is closed, which the error says.
  void adopt_raw_handle() {
    guard([&] { const pqxx::nontransaction refused_if_a_transaction_is_open{*conn_}; });
    raw_ = std::move(*conn_).release_raw_connection();
    try {
      *conn_ = pqxx::connection::seize_raw_connection(raw_);
    } catch (const pqxx::usage_error& e) {
      raw_ = nullptr;
      throw Error(fmt::format(
          "bulkinsert: libpqxx would not re-seat the connection, which is now closed: {}", trim(e.what())));
    }
  }
  PGconn* raw_ = nullptr;
#endif

  static std::unique_ptr<pqxx::connection> connect(const std::string& conninfo) {
    std::unique_ptr<pqxx::connection> c;
    guard([&] { c = std::make_unique<pqxx::connection>(conninfo); });
    return c;
  }

  template <class F>
  static void guard(F&& f) {
    translate_driver_errors<pqxx::failure>(
        [&] {
          try {
            std::forward<F>(f)();
          } catch (const pqxx::usage_error& e) {
            // Before pqxx::failure: libpqxx 8 derives every exception from it, 6 and 7 derive this one
            // from std::logic_error. A misuse of libpqxx is no database error.
            std::throw_with_nested(Error(fmt::format("bulkinsert: libpqxx refused the call: {}", trim(e.what()))));
          }
        },
        [](const pqxx::failure& e) {
          std::string state{pg::unknown_failure};
          if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e); sql != nullptr && !sql->sqlstate().empty())
            state = sql->sqlstate();
          else if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr)
            state = pg::connection_failure;
          else if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr)
            state = pg::commit_in_doubt;  // libpqxx's word for a connection lost during COMMIT
          const ErrorKind kind = pg::error_kind(state);
          return DatabaseError(std::move(state), trim(e.what()), kind);
        });
  }

  static std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
    return s;
  }

  std::unique_ptr<pqxx::connection> owned_;
  PqxxConnection* conn_;
  std::optional<pqxx::work> tx_;
};

}  // namespace bulkinsert::detail
