#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libpq-fe.h>
#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/largeobject>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <pqxx/version>

#include "../detail/driver_errors.hpp"
#include "../error.hpp"
#include "errors.hpp"

namespace bulkinsert::detail {

/// Every libpqxx call bulkinsert makes lives in this class: opening the connection, the transaction,
/// plain SQL, and reaching the libpq handle underneath. Supporting libpqxx 7.x means changing only this
/// file (7.x builds pqxx::connection from a string the same way; stream_to, params and the raw handle differ).
/// Tested with libpqxx 6.4.5.
class PqxxSession {
 public:
  explicit PqxxSession(const std::string& conninfo) : owned_(connect(conninfo)), conn_(owned_.get()) {}
  explicit PqxxSession(pqxx::connection_base& connection) noexcept : conn_(&connection) {}

  [[nodiscard]] pqxx::connection_base& connection() noexcept { return *conn_; }

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
        const pqxx::result r = t.exec_params(sql, param);
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

  /// The libpq connection under the open transaction. libpqxx 6.4 has no public accessor: its
  /// connection_base::raw_connection() is private, and pqxx::largeobject exposes the handle only to
  /// derived classes, through the transaction. We need libpq for COPY BINARY, pipeline mode and
  /// parameter arrays without a std::string per value, none of which libpqxx 6.4 offers.
  /// libpqxx 7.x: the same protected member exists; 7.8+ also has connection::raw_connection() via internal gates.
  [[nodiscard]] PGconn* raw() const {
    if (!tx_) throw Error("bulkinsert internal error: the libpq handle is used outside a transaction");
    return RawHandle::of(*tx_);
  }

 private:
  struct RawHandle : pqxx::largeobject {
    static PGconn* of(const pqxx::dbtransaction& t) { return raw_connection(t); }
  };

  static std::unique_ptr<pqxx::connection> connect(const std::string& conninfo) {
    std::unique_ptr<pqxx::connection> c;
    guard([&] { c = std::make_unique<pqxx::connection>(conninfo); });
    return c;
  }

  template <class F>
  static void guard(F&& f) {
    translate_driver_errors<pqxx::failure>(std::forward<F>(f), [](const pqxx::failure& e) {
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
  pqxx::connection_base* conn_;
  std::optional<pqxx::work> tx_;
};

}  // namespace bulkinsert::detail
