// Result<T>: a value or an Error, in the spirit of Rust's AxResult. (g++ 12
// has std::expected only with -std=c++23 and clang 14 not at all.)
#pragma once
#include <string>
#include <utility>
#include <variant>

namespace hvemu::vcpu {

enum class ErrorKind {
    BadState,        // call in the wrong vCPU state
    InvalidInput,    // a bad argument (register number, address, vector)
    Unsupported,     // the model does not implement what was asked
    BadAddress,      // an address outside guest memory
    NotFound,        // no device claims the access
    Internal,        // an invariant of the model broke
};

struct Error {
    ErrorKind kind = ErrorKind::Internal;
    std::string message;
};

const char* to_string(ErrorKind k);

template <class T> class [[nodiscard]] Result {
public:
    Result(T v) : v_(std::move(v)) {}
    Result(Error e) : v_(std::move(e)) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const Error& error() const { return std::get<1>(v_); }
    T* operator->() { return &value(); }
    T& operator*() { return value(); }

private:
    std::variant<T, Error> v_;
};

template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error e) : err_(std::move(e)), ok_(false) {}
    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { return err_; }

private:
    Error err_{};
    bool ok_ = true;
};

inline Error make_error(ErrorKind k, std::string msg) { return Error{k, std::move(msg)}; }

} // namespace hvemu::vcpu
